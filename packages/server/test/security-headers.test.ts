import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { startObservedServer } from "./support/observability.ts";
import { startReceiver } from "./support/receiver.ts";
import { API_KEY, waitFor } from "./support/server.ts";

// Security headers on every kind of answer, and no secret in any log line.

describe("security headers and secret-free logs", () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it("sends the security headers on API answers, errors, health and the reference page", async () => {
    const server = await startObservedServer();
    stops.push(server.stop);
    const get = (path: string, key?: string) =>
      fetch(`${server.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    const answers = {
      list: await get("/v1/webhook_endpoints", API_KEY),
      missing: await get("/v1/webhook_endpoints/we_00000000000000000000000000", API_KEY),
      unauthenticated: await get("/v1/events"),
      health: await get("/healthz"),
    };
    for (const [name, response] of Object.entries(answers)) {
      expect(response.headers.get("x-content-type-options"), name).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), name).toBe("DENY");
      expect(response.headers.get("referrer-policy"), name).toBe("no-referrer");
      expect(response.headers.get("content-security-policy"), name).toContain(
        "frame-ancestors 'none'",
      );
      expect(response.headers.get("cache-control"), name).toBe("no-store");
    }
    const page = await get("/docs/api");
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("writes no API key, signing secret or encryption key into the logs of a full run", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const encryptionKey = Buffer.alloc(32, 7).toString("base64");
    const server = await startObservedServer({
      env: {
        HOOKLINE_LOG_LEVEL: "debug",
        HOOKLINE_ENCRYPTION_KEY: encryptionKey,
        HOOKLINE_RETRY_SCHEDULE: "50ms",
      },
      logDestination: destination,
    });
    stops.push(server.stop);
    const receiver = await startReceiver((_, i) => (i === 0 ? { status: 500 } : undefined));
    stops.push(receiver.close);
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    const imported = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["invoice.*"],
      secret: "whsec_aW1wb3J0ZWRzZWNyZXRmcm9tZWxzZXdoZXJl",
    });
    const rotated = await server.api(
      "POST",
      `/v1/webhook_endpoints/${created.body.id}/rotate_secret`,
    );
    // A refused key and a bad body are logged too: neither may echo what was sent.
    await fetch(`${server.url}/v1/events`, { headers: { authorization: "Bearer hk_wrong_key" } });
    await server.api("POST", "/v1/webhook_endpoints", { url: "nope", secret: "whsec_leak" });
    await server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    await waitFor(() => receiver.received.length >= 3, 10_000, "deliveries and a retry");
    await server.stop();
    stops.length = 0;
    await receiver.close();

    const log = lines.join("");
    expect(lines.length).toBeGreaterThan(5);
    const secrets = [
      API_KEY,
      encryptionKey,
      created.body.secret,
      imported.body.secret,
      rotated.body.secret,
    ];
    for (const secret of secrets) {
      expect(typeof secret).toBe("string");
      expect(log.includes(secret), `a log line contains ${secret.slice(0, 8)}…`).toBe(false);
      expect(log.includes(secret.replace(/^whsec_/, ""))).toBe(false);
    }
    // Signatures are not secrets, but a log of signed headers would help forge nothing either:
    // still, the request headers are not logged at all.
    expect(log.includes("webhook-signature")).toBe(false);
  });
});
