import { existsSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type ObservedServer, startObservedServer } from "./support/observability.ts";
import { startReceiver } from "./support/receiver.ts";
import { expectError, invalid } from "./support/refusals.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

const SECRET_VALUE = "Bearer-ish tok_3fa9c1d2e8b7";

describe("custom headers on an endpoint", () => {
  let server: TestServer | ObservedServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
    server = undefined;
  });

  it("are sent with every delivery, masked in answers, attempts and logs", async () => {
    const lines: string[] = [];
    const observed = await startObservedServer({
      env: { HOOKLINE_LOG_LEVEL: "debug" },
      logDestination: { write: (chunk: string) => lines.push(chunk) },
    });
    server = observed;
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const created = await observed.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
      headers: { "X-Team": "billing", "X-Api-Key": SECRET_VALUE },
    });
    expect(created.status).toBe(200);
    // The create's answer is the one place the values are shown.
    expect(created.body.headers).toEqual({ "X-Team": "billing", "X-Api-Key": SECRET_VALUE });

    for (const n of [1, 2]) {
      const sent = await observed.api("POST", "/v1/events", {
        type: "invoice.paid",
        data: { object: { id: `in_${n}` } },
      });
      expect(sent.status).toBe(200);
    }
    await waitFor(() => receiver.received.length === 2, 10_000, "two deliveries");
    for (const request of receiver.received) {
      expect(request.headers["x-team"]).toBe("billing");
      expect(request.headers["x-api-key"]).toBe(SECRET_VALUE);
      expect(request.headers["stripe-signature"]).toMatch(/^t=\d+,v1=/);
      expect(request.headers["content-type"]).toBe("application/json");
    }

    const got = await observed.api("GET", `/v1/webhook_endpoints/${created.body.id}`);
    expect(got.body.headers).toEqual({ "X-Team": "********", "X-Api-Key": "********" });
    const list = await observed.api("GET", "/v1/webhook_endpoints");
    const deliveries = await waitFor(async () => {
      const page = await observed.api("GET", "/v1/deliveries?status=succeeded");
      return page.body.data.length === 2 ? page.body.data : undefined;
    });
    const delivery = await observed.api("GET", `/v1/deliveries/${deliveries[0].id}`);
    expect(delivery.body.attempts[0].request_headers["X-Api-Key"]).toBe("********");
    const answers = JSON.stringify([got.body, list.body, delivery.body]);
    expect(answers).not.toContain(SECRET_VALUE);
    await waitFor(() => lines.some((l) => l.includes("attempt delivered")));
    expect(lines.join("")).not.toContain(SECRET_VALUE);
  });

  it("are sealed at rest, merged on update and removed with null", async () => {
    const s = await startTestServer();
    server = s;
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const created = await s.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
      headers: { "X-Api-Key": SECRET_VALUE, "X-Team": "billing" },
    });
    expect(created.status).toBe(200);
    for (const file of [s.config.database, `${s.config.database}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(SECRET_VALUE)).toBe(false);
    }
    const db = new Database(s.config.database, { readonly: true });
    const stored = db.prepare("SELECT headers FROM endpoints").get() as { headers: string };
    db.close();
    expect(Object.keys(JSON.parse(stored.headers))).toEqual(["X-Api-Key", "X-Team"]);
    expect(stored.headers).toMatch(/enc:v1:/);

    const id = created.body.id;
    // "x-team" replaces "X-Team" (names ignore case); null removes a header.
    const updated = await s.api("POST", `/v1/webhook_endpoints/${id}`, {
      headers: { "x-team": "payments", "X-Api-Key": null, "X-Region": "eu" },
    });
    expect(updated.status).toBe(200);
    expect(Object.keys(updated.body.headers).sort()).toEqual(["X-Region", "x-team"]);
    await s.api("POST", "/v1/events", { type: "invoice.paid", data: { object: { id: "in_1" } } });
    await waitFor(() => receiver.received.length === 1);
    expect(receiver.received[0]!.headers["x-team"]).toBe("payments");
    expect(receiver.received[0]!.headers["x-region"]).toBe("eu");
    expect(receiver.received[0]!.headers["x-api-key"]).toBeUndefined();

    const cleared = await s.api("POST", `/v1/webhook_endpoints/${id}`, { headers: null });
    expect(cleared.body.headers).toEqual({});
  });

  it("refuse what the sender owns, invalid names or values and too many, writing nothing", async () => {
    const s = await startTestServer();
    server = s;
    const create = (headers: unknown) =>
      s.api("POST", "/v1/webhook_endpoints", {
        url: "https://example.com/hooks",
        enabled_events: ["*"],
        headers,
      });
    const refused: [unknown, string][] = [
      [{ Host: "evil.example" }, "headers[Host]"],
      [{ "Content-Length": "1" }, "headers[Content-Length]"],
      [{ "content-type": "text/plain" }, "headers[content-type]"],
      [{ "Stripe-Signature": "t=1,v1=00" }, "headers[Stripe-Signature]"],
      [{ "Webhook-Signature": "v1,AAAA" }, "headers[Webhook-Signature]"],
      [{ "webhook-id": "msg_1" }, "headers[webhook-id]"],
      [{ "Hookline-Sequence": "a:1" }, "headers[Hookline-Sequence]"],
      [{ Authorization: "Basic eDp5" }, "headers[Authorization]"],
      [{ Connection: "close" }, "headers[Connection]"],
      [{ "Transfer-Encoding": "chunked" }, "headers[Transfer-Encoding]"],
      [{ "Bad Name": "x" }, "headers[Bad Name]"],
      [{ "X-Ok": "line\r\nInjected: yes" }, "headers[X-Ok]"],
      [{ "X-A": "1", "x-a": "2" }, "headers[x-a]"],
      [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, "v"])), "headers"],
      [{ "X-Big": "v".repeat(9000) }, "headers"],
    ];
    for (const [headers, param] of refused) {
      const answer = await create(headers);
      expectError(answer, invalid(param));
      expect(answer.body.error.message).toMatch(/Invalid headers/);
    }
    const nonString = await create({ "X-Count": 3 });
    expect(nonString.status).toBe(400);
    expect((await s.api("GET", "/v1/webhook_endpoints")).body.data).toEqual([]);

    const ok = await create({ "X-Team": "billing" });
    expect(ok.status).toBe(200);
    const before = await s.api("GET", `/v1/webhook_endpoints/${ok.body.id}`);
    const update = await s.api("POST", `/v1/webhook_endpoints/${ok.body.id}`, {
      description: "changed",
      headers: { "Stripe-Signature": "x" },
    });
    expectError(update, invalid("headers[Stripe-Signature]"));
    const after = await s.api("GET", `/v1/webhook_endpoints/${ok.body.id}`);
    expect(after.body).toEqual(before.body);
  });
});
