import { afterEach, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { expectEndpointFieldRefused } from "./support/refusals.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

const PASSWORD = "s3cret-pa55word-7731";
const BASIC = `Basic ${Buffer.from(`hookline:${PASSWORD}`).toString("base64")}`;

describe("basic authentication to an endpoint", () => {
  let server: TestServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
    server = undefined;
  });

  it("sends Authorization: Basic on deliveries and test sends, and never shows the password", async () => {
    server = await startTestServer();
    // A gateway that lets only the right credentials through.
    const receiver = await startReceiver((r) =>
      r.headers.authorization === BASIC ? { status: 200 } : { status: 401 },
    );
    closers.push(receiver.close);
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
      auth: { type: "basic", username: "hookline", password: PASSWORD },
    });
    expect(created.status).toBe(200);
    expect(created.body.auth).toEqual({ type: "basic", username: "hookline" });

    await server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    const delivered = await waitFor(async () => {
      const page = await server!.api("GET", "/v1/deliveries?status=succeeded");
      return page.body.data[0];
    });
    const tested = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`);
    expect(tested.body.succeeded).toBe(true);
    expect(receiver.received.map((r) => r.headers.authorization)).toEqual([BASIC, BASIC]);

    const attempt = (await server.api("GET", `/v1/deliveries/${delivered.id}`)).body.attempts[0];
    expect(attempt.request_headers.authorization).toBe("********");
    const got = await server.api("GET", `/v1/webhook_endpoints/${created.body.id}`);
    const shown = JSON.stringify([created.body, got.body, attempt, tested.body]);
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(BASIC.slice(6));

    const removed = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}`, {
      auth: null,
    });
    expect(removed.body.auth).toBeNull();
    const refused = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`);
    expect(refused.body.attempt.status_code).toBe(401);
  });

  it("refuses unknown types, a username with a colon, a missing password, writing nothing", async () => {
    server = await startTestServer();
    const cases: [unknown, string][] = [
      [{ type: "oauth2" }, "auth[type]"],
      [{ type: "oauth2_client_credentials" }, "auth[token_url]"],
      [{ type: "basic", password: "x" }, "auth[username]"],
      [{ type: "basic", username: "a:b", password: "x" }, "auth[username]"],
      [{ type: "basic", username: "a" }, "auth[password]"],
      [{ type: "basic", username: "a", password: "line\nbreak" }, "auth[password]"],
    ];
    await expectEndpointFieldRefused(server.api, "auth", cases);
    expect((await server.api("GET", "/v1/webhook_endpoints")).body.data).toEqual([]);
  });
});
