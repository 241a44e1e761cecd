import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/server.ts";

// Fastify validates with Ajv's `coerceTypes: "array"` unless told otherwise, which would turn
// `"*"` into `["*"]`, `"true"` into `true` and `["stripe"]` into `"stripe"`. JSON bodies are taken
// as sent (api/validator.ts): a value of the wrong type is refused, never converted, and nothing
// is written. Query strings are text, so only a well-formed text is read as a number or boolean.

let server: TestServer;
let endpoint: string;
beforeAll(async () => {
  server = await startTestServer();
  const created = await server.api("POST", "/v1/webhook_endpoints", {
    url: "https://example.com/hooks",
    enabled_events: ["*"],
  });
  endpoint = created.body.id;
});
afterAll(() => server.stop());

const create = { url: "https://example.com/other" };
it.each([
  ["POST", "/v1/webhook_endpoints", { ...create, enabled_events: "*" }, "enabled_events"],
  [
    "POST",
    "/v1/webhook_endpoints",
    { ...create, enabled_events: ["*"], signature_schemes: ["stripe"] },
    "signature_schemes",
  ],
  [
    "POST",
    "/v1/webhook_endpoints",
    { ...create, enabled_events: ["*"], rate_limit: "5" },
    "rate_limit",
  ],
  ["POST", "/v1/webhook_endpoints/{we}", { disabled: "true" }, "disabled"],
  ["POST", "/v1/webhook_endpoints/{we}/recover", { since: "1767225600" }, "since"],
  ["POST", "/v1/events", { type: ["charge.succeeded"], data: { object: {} } }, "type"],
  ["POST", "/v1/tenants", { name: ["acme"] }, "name"],
  ["GET", "/v1/events?limit=10&limit=20", undefined, "limit"],
  ["GET", "/v1/events?limit=", undefined, "limit"],
  ["GET", "/v1/events?delivery_success=1", undefined, "delivery_success"],
  ["GET", "/v1/deliveries?status=failed&status=succeeded", undefined, "status"],
] as const)("refuses %s %s with %j: the wrong type for %s", async (method, path, body, param) => {
  const before = (await server.api("GET", "/v1/webhook_endpoints?limit=100")).body.data;
  const answer = await server.api(method, path.replace("{we}", endpoint), body);
  expect(answer.status).toBe(400);
  expect(answer.body).toEqual({
    error: {
      type: "invalid_request_error",
      code: "parameter_invalid",
      message: expect.stringMatching(new RegExp(`^Invalid ${param}: must be `)),
      param,
    },
  });
  expect((await server.api("GET", "/v1/webhook_endpoints?limit=100")).body.data).toEqual(before);
});
