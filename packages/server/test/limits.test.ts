import { afterEach, describe, expect, it } from "vitest";
import { API_KEY, startTestServer, type TestServer } from "./support/server.ts";

// Limits that keep one client from taking the service down: endpoints per tenant, requests per
// key, header sizes, and https-only endpoint URLs.

describe("limits", () => {
  let server: TestServer;
  afterEach(async () => {
    await server.stop();
  });

  it("refuses an endpoint past the tenant's limit, and writes nothing", async () => {
    server = await startTestServer({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: "2" });
    const create = () =>
      server.api("POST", "/v1/webhook_endpoints", {
        url: "https://example.com/hooks",
        enabled_events: ["*"],
      });
    expect((await create()).status).toBe(200);
    expect((await create()).status).toBe(200);
    const third = await create();
    expect(third).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error", code: "endpoint_limit_reached" } },
    });
    expect((await server.api("GET", "/v1/webhook_endpoints")).body.data).toHaveLength(2);
  });

  it("holds a tenant key to its request rate with 429 and Retry-After; the root key is not held", async () => {
    server = await startTestServer({ HOOKLINE_API_RATE_LIMIT: "5" });
    const tenant = (await server.api("POST", "/v1/tenants", { name: "Acme" })).body.id;
    const key = (await server.api("POST", "/v1/api_keys", { tenant })).body.key;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${server.url}/v1/events`, { headers: { authorization: `Bearer ${key}` } }),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited[0]!.json()).toMatchObject({
      error: { type: "rate_limit_error", code: "rate_limit" },
    });
    const root = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${server.url}/v1/events`, { headers: { authorization: `Bearer ${API_KEY}` } }),
      ),
    );
    expect(root.every((a) => a.status === 200)).toBe(true);
  });

  it("answers 431 to oversized headers", async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/v1/events`, {
      headers: { authorization: `Bearer ${API_KEY}`, "x-padding": "a".repeat(20_000) },
    });
    expect(response.status).toBe(431);
  });

  it("refuses plain http endpoint URLs under --https-only", async () => {
    server = await startTestServer({ HOOKLINE_HTTPS_ONLY: "true" });
    const refused = await server.api("POST", "/v1/webhook_endpoints", {
      url: "http://example.com/hooks",
      enabled_events: ["*"],
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { param: "url", message: expect.stringContaining("https") } },
    });
    const accepted = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
    });
    expect(accepted.status).toBe(200);
    expect((await server.api("GET", "/v1/webhook_endpoints")).body.data).toHaveLength(1);
  });
});
