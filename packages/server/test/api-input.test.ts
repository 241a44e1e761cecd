import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT } from "../src/api/context.ts";
import { startReceiver } from "./support/receiver.ts";
import { API_KEY, startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Bad input on every route: each request below is refused with the right status and a
// Stripe-shaped error `{error: {type, code, message, param?}}`, and leaves the database exactly
// as it was (the three lists, and the seeded endpoint's and delivery's full rows, which also
// show a secret rotation or a retry that a list would not).

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** One endpoint, one event and its delivery (succeeded, so nothing moves during a test). */
let ids: { we: string; evt: string; dlv: string };

beforeEach(async () => {
  server = await startTestServer();
  receiver = await startReceiver();
  const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
    url: receiver.url,
    enabled_events: ["*"],
  });
  const event = await server.api("POST", "/v1/events", {
    type: "invoice.paid",
    data: { object: { id: "in_1" } },
  });
  const delivery = await waitFor(async () => {
    const list = await server.api("GET", `/v1/deliveries?event=${event.body.id}`);
    return list.body.data[0]?.status === "succeeded" ? list.body.data[0] : undefined;
  });
  ids = { we: endpoint.body.id, evt: event.body.id, dlv: delivery.id };
});
afterEach(async () => {
  await receiver.close();
  await server.stop();
});

async function snapshot() {
  const list = async (path: string) => (await server.api("GET", `${path}?limit=100`)).body;
  return {
    endpoints: await list("/v1/webhook_endpoints"),
    events: await list("/v1/events"),
    deliveries: await list("/v1/deliveries"),
    endpoint: await server.store.getEndpoint(DEFAULT_TENANT, ids.we),
    delivery: await server.store.getDelivery(DEFAULT_TENANT, ids.dlv),
    received: receiver.received.length,
  };
}

/** `{we}`, `{evt}` and `{dlv}` in a path stand for the seeded objects' ids. */
const fill = (path: string) =>
  path.replace("{we}", ids.we).replace("{evt}", ids.evt).replace("{dlv}", ids.dlv);

interface Refusal {
  name: string;
  method: string;
  path: string;
  /** JSON-encoded unless a string, which is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  param?: string;
  type?: string;
}

function expectError(
  response: { status: number; body: unknown },
  expected: Pick<Refusal, "status" | "code" | "param" | "type">,
) {
  expect(response.status).toBe(expected.status);
  expect(response.body).toStrictEqual({
    error: {
      type: expected.type ?? "invalid_request_error",
      code: expected.code,
      message: expect.stringMatching(/\S/),
      ...(expected.param === undefined ? {} : { param: expected.param }),
    },
  });
}

async function expectRefusedWithoutWrites(c: Refusal) {
  const before = await snapshot();
  const response = await server.api(c.method, fill(c.path), c.body, c.headers);
  expectError(response, c);
  expect(await snapshot()).toStrictEqual(before);
}

const invalid = (param: string) => ({ status: 400, code: "parameter_invalid", param });
const missing = (param: string) => ({ status: 400, code: "parameter_missing", param });
const unknown = (param: string) => ({ status: 400, code: "parameter_unknown", param });
const notJson = { status: 400, code: "body_invalid" };
const tooLarge = { status: 413, code: "payload_too_large" };
const noSuch = { status: 404, code: "resource_missing", param: "id" };

/** Just over the 256 KB body limit, and valid JSON otherwise. */
const huge = (body: Record<string, unknown>) => ({ ...body, padding: "x".repeat(257 * 1024) });
const endpoint = { url: "https://example.com/webhooks", enabled_events: ["*"] };
const event = { type: "invoice.paid", data: { object: { id: "in_2" } } };

// biome-ignore format: one row per case reads as a table
const createEndpoint: Refusal[] = [
  { name: "malformed JSON", body: '{"url": "https://example.com",', ...notJson },
  { name: "an empty JSON body", body: "", ...notJson },
  { name: "an array for a body", body: [endpoint], ...invalid("body") },
  { name: "url: 123", body: { ...endpoint, url: 123 }, ...invalid("url") },
  { name: 'enabled_events: "x"', body: { ...endpoint, enabled_events: "x" }, ...invalid("enabled_events") },
  { name: "enabled_events: []", body: { ...endpoint, enabled_events: [] }, ...invalid("enabled_events") },
  { name: "enabled_events: [1]", body: { ...endpoint, enabled_events: [1] }, ...invalid("enabled_events[0]") },
  { name: "a metadata value that is a number", body: { ...endpoint, metadata: { plan: 1 } }, ...invalid("metadata[plan]") },
  { name: "a metadata value that is an object", body: { ...endpoint, metadata: { plan: {} } }, ...invalid("metadata[plan]") },
  { name: "metadata that is a string", body: { ...endpoint, metadata: "plan" }, ...invalid("metadata") },
  { name: "description: 5", body: { ...endpoint, description: 5 }, ...invalid("description") },
  { name: 'signature_schemes: "hmac"', body: { ...endpoint, signature_schemes: "hmac" }, ...invalid("signature_schemes") },
  { name: "a secret that is not whsec_", body: { ...endpoint, secret: "sk_live_123" }, ...invalid("secret") },
  { name: 'ordering: "fifo"', body: { ...endpoint, ordering: "fifo" }, ...invalid("ordering") },
  { name: "ordering: true", body: { ...endpoint, ordering: true }, ...invalid("ordering") },
  { name: "ordering: null", body: { ...endpoint, ordering: null }, ...invalid("ordering") },
  { name: 'ordering_on_exhausted: "drop"', body: { ...endpoint, ordering: "per_key", ordering_on_exhausted: "drop" }, ...invalid("ordering_on_exhausted") },
  { name: "ordering_on_exhausted: false", body: { ...endpoint, ordering_on_exhausted: false }, ...invalid("ordering_on_exhausted") },
  { name: "ordering_on_exhausted: null", body: { ...endpoint, ordering_on_exhausted: null }, ...invalid("ordering_on_exhausted") },
  { name: "no url", body: { enabled_events: ["*"] }, ...missing("url") },
  { name: "no enabled_events", body: { url: endpoint.url }, ...missing("enabled_events") },
  { name: "an unknown field", body: { ...endpoint, events: ["*"] }, ...unknown("events") },
  { name: "an ftp:// url", body: { ...endpoint, url: "ftp://example.com/x" }, ...invalid("url") },
  { name: "a url that is not a URL", body: { ...endpoint, url: "not-a-url" }, ...invalid("url") },
  { name: "a url with user:pass@", body: { ...endpoint, url: "https://user:pass@example.com/x" }, ...invalid("url") },
  { name: "a url with a #fragment", body: { ...endpoint, url: "https://example.com/x#part" }, ...invalid("url") },
  { name: "a url with an empty #", body: { ...endpoint, url: "https://example.com/x#" }, ...invalid("url") },
  { name: "an empty url", body: { ...endpoint, url: "" }, ...invalid("url") },
  { name: "a url over 2048 characters", body: { ...endpoint, url: `https://example.com/${"a".repeat(2048)}` }, ...invalid("url") },
  { name: 'the pattern "in*voice"', body: { ...endpoint, enabled_events: ["in*voice"] }, ...invalid("enabled_events[0]") },
  { name: 'the pattern "a..b"', body: { ...endpoint, enabled_events: ["a..b"] }, ...invalid("enabled_events[0]") },
  { name: 'the pattern ""', body: { ...endpoint, enabled_events: [""] }, ...invalid("enabled_events[0]") },
  { name: "a bad pattern after a good one", body: { ...endpoint, enabled_events: ["*", "invoice.**"] }, ...invalid("enabled_events[1]") },
  { name: "a body over 256 KB", body: huge(endpoint), ...tooLarge },
  { name: "an Idempotency-Key of 256 characters", body: endpoint, headers: { "idempotency-key": "k".repeat(256) }, ...invalid("Idempotency-Key") },
  { name: "an empty Idempotency-Key", body: endpoint, headers: { "idempotency-key": "" }, ...invalid("Idempotency-Key") },
  { name: "a form-encoded body", body: "url=https%3A%2F%2Fexample.com", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, code: "unsupported_media_type" },
].map((c) => ({ method: "POST", path: "/v1/webhook_endpoints", ...c }));

// biome-ignore format: one row per case reads as a table
const updateCases = [
  { name: "malformed JSON", body: "{", ...notJson },
  { name: "url: 123", body: { url: 123 }, ...invalid("url") },
  { name: "an ftp:// url", body: { url: "ftp://example.com" }, ...invalid("url") },
  { name: "a url with user:pass@", body: { url: "https://u:p@example.com" }, ...invalid("url") },
  { name: "enabled_events: []", body: { enabled_events: [] }, ...invalid("enabled_events") },
  { name: 'the pattern "a..b"', body: { enabled_events: ["a..b"] }, ...invalid("enabled_events[0]") },
  { name: 'disabled: "yes"', body: { disabled: "yes" }, ...invalid("disabled") },
  { name: 'ordering: "per_object"', body: { ordering: "per_object" }, ...invalid("ordering") },
  { name: 'ordering_on_exhausted: "HOLD"', body: { ordering_on_exhausted: "HOLD" }, ...invalid("ordering_on_exhausted") },
  { name: "ordering_on_exhausted: 1", body: { ordering_on_exhausted: 1 }, ...invalid("ordering_on_exhausted") },
  { name: "on_exhausted, which is spelled ordering_on_exhausted", body: { on_exhausted: "hold" }, ...unknown("on_exhausted") },
  { name: "a metadata value that is a number", body: { metadata: { a: 1 } }, ...invalid("metadata[a]") },
  { name: "an unknown field", body: { colour: "red" }, ...unknown("colour") },
  { name: "status, which is set through disabled", body: { status: "disabled" }, ...unknown("status") },
  { name: "secret, which only rotate_secret changes", body: { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }, ...unknown("secret") },
  { name: "a body over 256 KB", body: huge({}), ...tooLarge },
  { name: "an unknown we_ id", path: "/v1/webhook_endpoints/we_0000000000000000000000000", body: { disabled: true }, ...noSuch },
  { name: "a garbage id", path: "/v1/webhook_endpoints/evt_not-ours", body: { disabled: true }, ...noSuch },
];
const updateEndpoint: Refusal[] = ["POST", "PATCH"].flatMap((method) =>
  updateCases.map((c) => ({
    path: "/v1/webhook_endpoints/{we}",
    ...c,
    name: `${method}: ${c.name}`,
    method,
  })),
);

// biome-ignore format: one row per case reads as a table
const otherEndpointRoutes: Refusal[] = [
  { name: "retrieve an unknown we_ id", method: "GET", path: "/v1/webhook_endpoints/we_0000000000000000000000000", ...noSuch },
  { name: "retrieve a garbage id", method: "GET", path: "/v1/webhook_endpoints/not%20an%20id", ...noSuch },
  { name: "delete an unknown we_ id", method: "DELETE", path: "/v1/webhook_endpoints/we_0000000000000000000000000", ...noSuch },
  { name: "delete a garbage id", method: "DELETE", path: "/v1/webhook_endpoints/-", ...noSuch },
  { name: "delete with malformed JSON", method: "DELETE", path: "/v1/webhook_endpoints/{we}", body: "{", ...notJson },
  { name: 'rotate with expires_in "8d" (over 7d)', body: { expires_in: "8d" }, ...invalid("expires_in") },
  { name: "rotate with expires_in 604801 (over 7d)", body: { expires_in: 604_801 }, ...invalid("expires_in") },
  { name: "rotate with expires_in -1", body: { expires_in: -1 }, ...invalid("expires_in") },
  { name: 'rotate with expires_in "abc"', body: { expires_in: "abc" }, ...invalid("expires_in") },
  { name: "rotate with expires_in 1.5", body: { expires_in: 1.5 }, ...invalid("expires_in") },
  { name: "rotate with expires_in true", body: { expires_in: true }, ...invalid("expires_in") },
  { name: "rotate with an unknown field", body: { grace: "1h" }, ...unknown("grace") },
  { name: "rotate with malformed JSON", body: "{expires_in: 1}", ...notJson },
  { name: "rotate with a body over 256 KB", body: huge({}), ...tooLarge },
  { name: "rotate an unknown we_ id", path: "/v1/webhook_endpoints/we_0000000000000000000000000/rotate_secret", ...noSuch },
  { name: "list with limit=0", method: "GET", path: "/v1/webhook_endpoints?limit=0", ...invalid("limit") },
  { name: "list with limit=101", method: "GET", path: "/v1/webhook_endpoints?limit=101", ...invalid("limit") },
  { name: "list with limit=abc", method: "GET", path: "/v1/webhook_endpoints?limit=abc", ...invalid("limit") },
  { name: "list with an unknown query parameter", method: "GET", path: "/v1/webhook_endpoints?status=enabled", ...unknown("status") },
  { name: "list starting_after an unknown id", method: "GET", path: "/v1/webhook_endpoints?starting_after=we_0000000000000000000000000", ...invalid("starting_after") },
  { name: "list ending_before an unknown id", method: "GET", path: "/v1/webhook_endpoints?ending_before=we_0000000000000000000000000", ...invalid("ending_before") },
  { name: "list starting_after an id of another list", method: "GET", path: "/v1/webhook_endpoints?starting_after={evt}", ...invalid("starting_after") },
].map((c) => ({ method: "POST", path: "/v1/webhook_endpoints/{we}/rotate_secret", ...c }));

// biome-ignore format: one row per case reads as a table
const eventRoutes: Refusal[] = [
  { name: "malformed JSON", body: '{"type": invoice.paid}', ...notJson },
  { name: "type: 123", body: { ...event, type: 123 }, ...invalid("type") },
  { name: "a type with spaces", body: { ...event, type: "invoice paid" }, ...invalid("type") },
  { name: "an empty type", body: { ...event, type: "" }, ...invalid("type") },
  { name: 'the type "a..b"', body: { ...event, type: "a..b" }, ...invalid("type") },
  { name: 'the type "invoice.*" (a pattern)', body: { ...event, type: "invoice.*" }, ...invalid("type") },
  { name: "a type over 200 characters", body: { ...event, type: "a".repeat(201) }, ...invalid("type") },
  { name: "no type", body: { data: event.data }, ...missing("type") },
  { name: "no data", body: { type: event.type }, ...missing("data") },
  { name: "no data.object", body: { type: event.type, data: {} }, ...missing("data[object]") },
  { name: "data.object an array", body: { ...event, data: { object: [1, 2] } }, ...invalid("data[object]") },
  { name: "data.object a string", body: { ...event, data: { object: "in_1" } }, ...invalid("data[object]") },
  { name: "data.object null", body: { ...event, data: { object: null } }, ...invalid("data[object]") },
  { name: "data a string", body: { ...event, data: "x" }, ...invalid("data") },
  { name: "data.previous_attributes an array", body: { ...event, data: { object: {}, previous_attributes: [] } }, ...invalid("data[previous_attributes]") },
  { name: "an unknown field", body: { ...event, livemode: true }, ...unknown("livemode") },
  { name: "an unknown field in data", body: { ...event, data: { object: {}, extra: 1 } }, ...unknown("data[extra]") },
  { name: 'ordering_key: ""', body: { ...event, ordering_key: "" }, ...invalid("ordering_key") },
  { name: "ordering_key: 42", body: { ...event, ordering_key: 42 }, ...invalid("ordering_key") },
  { name: "an ordering_key over 200 characters", body: { ...event, ordering_key: "k".repeat(201) }, ...invalid("ordering_key") },
  { name: "ordering_key: an object", body: { ...event, ordering_key: { id: "cus_1" } }, ...invalid("ordering_key") },
  { name: "a body over 256 KB", body: { ...event, data: { object: { blob: "x".repeat(257 * 1024) } } }, ...tooLarge },
  { name: "an Idempotency-Key of 256 characters", body: event, headers: { "idempotency-key": "k".repeat(256) }, ...invalid("Idempotency-Key") },
  { name: "retrieve an unknown evt_ id", method: "GET", path: "/v1/events/evt_0000000000000000000000000", ...noSuch },
  { name: "retrieve a garbage id", method: "GET", path: "/v1/events/%24%7Bid%7D", ...noSuch },
  { name: "retrieve a delivery's id", method: "GET", path: "/v1/events/{dlv}", ...noSuch },
  { name: "list with limit=0", method: "GET", path: "/v1/events?limit=0", ...invalid("limit") },
  { name: "list with limit=101", method: "GET", path: "/v1/events?limit=101", ...invalid("limit") },
  { name: "list with limit=abc", method: "GET", path: "/v1/events?limit=abc", ...invalid("limit") },
  { name: "list with limit=-1", method: "GET", path: "/v1/events?limit=-1", ...invalid("limit") },
  { name: "list with created[gte]=x", method: "GET", path: "/v1/events?created[gte]=x", ...invalid("created[gte]") },
  { name: "list with created[lte]=-1", method: "GET", path: "/v1/events?created%5Blte%5D=-1", ...invalid("created[lte]") },
  { name: "list with delivery_success=maybe", method: "GET", path: "/v1/events?delivery_success=maybe", ...invalid("delivery_success") },
  { name: "list with an unknown query parameter", method: "GET", path: "/v1/events?created=1", ...unknown("created") },
  { name: "list starting_after an unknown id", method: "GET", path: "/v1/events?starting_after=evt_0000000000000000000000000", ...invalid("starting_after") },
  { name: "list ending_before an unknown id", method: "GET", path: "/v1/events?ending_before=evt_0000000000000000000000000", ...invalid("ending_before") },
].map((c) => ({ method: "POST", path: "/v1/events", ...c }));

// biome-ignore format: one row per case reads as a table
const deliveryRoutes: Refusal[] = [
  { name: "retrieve an unknown dlv_ id", method: "GET", path: "/v1/deliveries/dlv_0000000000000000000000000", ...noSuch },
  { name: "retrieve a garbage id", method: "GET", path: "/v1/deliveries/..%2F..", ...noSuch },
  { name: "retry an unknown dlv_ id", path: "/v1/deliveries/dlv_0000000000000000000000000/retry", ...noSuch },
  { name: "retry an event's id", path: "/v1/deliveries/{evt}/retry", ...noSuch },
  { name: "retry with malformed JSON", body: "{", ...notJson },
  { name: "retry with a body over 256 KB", body: huge({}), ...tooLarge },
  { name: "list with limit=0", method: "GET", path: "/v1/deliveries?limit=0", ...invalid("limit") },
  { name: "list with limit=101", method: "GET", path: "/v1/deliveries?limit=101", ...invalid("limit") },
  { name: "list with limit=abc", method: "GET", path: "/v1/deliveries?limit=abc", ...invalid("limit") },
  { name: "list with status=bogus", method: "GET", path: "/v1/deliveries?status=bogus", ...invalid("status") },
  { name: "list with an unknown query parameter", method: "GET", path: "/v1/deliveries?type=invoice.paid", ...unknown("type") },
  { name: "list starting_after an unknown id", method: "GET", path: "/v1/deliveries?starting_after=dlv_0000000000000000000000000", ...invalid("starting_after") },
  { name: "list ending_before an unknown id", method: "GET", path: "/v1/deliveries?ending_before=dlv_0000000000000000000000000", ...invalid("ending_before") },
].map((c) => ({ method: "POST", path: "/v1/deliveries/{dlv}/retry", ...c }));

describe("bad input on every route is refused with a Stripe-shaped error and writes nothing", () => {
  it.each(createEndpoint)("POST /v1/webhook_endpoints refuses $name", expectRefusedWithoutWrites);
  it.each(updateEndpoint)("updating an endpoint refuses $name", expectRefusedWithoutWrites);
  it.each(otherEndpointRoutes)("endpoints: $name is refused", expectRefusedWithoutWrites);
  it.each(eventRoutes)("events: $name is refused", expectRefusedWithoutWrites);
  it.each(deliveryRoutes)("deliveries: $name is refused", expectRefusedWithoutWrites);

  it("does not use up an Idempotency-Key on a refused create", async () => {
    const key = { "idempotency-key": "order-42" };
    const refused = await server.api("POST", "/v1/events", { ...event, type: "a b" }, key);
    expect(refused.status).toBe(400);
    const accepted = await server.api("POST", "/v1/events", event, key);
    expect(accepted.status).toBe(200);
    expect(accepted.body.request.idempotency_key).toBe("order-42");
  });

  // Once a 500: the replayed key pointed to a deleted endpoint and saving it again broke the
  // idempotency_keys primary key.
  it("answers a replayed Idempotency-Key whose endpoint was deleted without a 500", async () => {
    const key = { "idempotency-key": "endpoint-once" };
    const first = await server.api("POST", "/v1/webhook_endpoints", endpoint, key);
    expect(first.status).toBe(200);
    await server.api("DELETE", `/v1/webhook_endpoints/${first.body.id}`);
    const again = await server.api("POST", "/v1/webhook_endpoints", endpoint, key);
    expect(again.status).toBe(200);
    expect(again.body.object).toBe("webhook_endpoint");
  });

  // Fastify parses text/plain by default; the API removes that parser so the answer names the fix.
  it("answers 415 to a POST whose Content-Type is text/plain", async () => {
    await expectRefusedWithoutWrites({
      name: "text/plain",
      method: "POST",
      path: "/v1/webhook_endpoints",
      body: JSON.stringify(endpoint),
      headers: { "content-type": "text/plain" },
      status: 415,
      code: "unsupported_media_type",
    });
  });

  // Routes that take no parameters refuse any, as Stripe's API does, and write nothing.
  // biome-ignore format: one row per case reads as a table
  it.each([
    { name: "DELETE with a body parameter", method: "DELETE", path: "/v1/webhook_endpoints/{we}", body: { force: true } },
    { name: "retry with a body parameter", method: "POST", path: "/v1/deliveries/{dlv}/retry", body: { force: true } },
    { name: "retrieve an endpoint with a query parameter", method: "GET", path: "/v1/webhook_endpoints/{we}?force=true" },
    { name: "retrieve an event with a query parameter", method: "GET", path: "/v1/events/{evt}?force=true" },
    { name: "retrieve a delivery with a query parameter", method: "GET", path: "/v1/deliveries/{dlv}?force=true" },
  ])("refuses an unknown parameter on a route that takes none: $name", (c) =>
    expectRefusedWithoutWrites({ ...c, ...unknown("force") }),
  );

  // The router raises these before any handler; frameworkErrors gives them the error shape.
  it.each([
    { name: "an id over 100 characters", path: `/v1/webhook_endpoints/we_${"x".repeat(100)}` },
    { name: "an id that is not valid percent-encoding", path: "/v1/webhook_endpoints/%ZZ" },
  ])("answers $name in the error shape", async ({ path }) => {
    const response = await server.api("GET", path);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(Object.keys(response.body)).toEqual(["error"]);
    expect(response.body.error).toMatchObject({
      type: "invalid_request_error",
      code: expect.any(String),
      message: expect.any(String),
    });
  });
});

describe("authentication", () => {
  const routes = [
    ["POST", "/v1/webhook_endpoints", endpoint],
    ["GET", "/v1/webhook_endpoints"],
    ["GET", "/v1/webhook_endpoints/{we}"],
    ["POST", "/v1/webhook_endpoints/{we}", { disabled: true }],
    ["PATCH", "/v1/webhook_endpoints/{we}", { disabled: true }],
    ["DELETE", "/v1/webhook_endpoints/{we}"],
    ["POST", "/v1/webhook_endpoints/{we}/rotate_secret", { expires_in: 0 }],
    ["POST", "/v1/events", event],
    ["GET", "/v1/events"],
    ["GET", "/v1/events/{evt}"],
    ["GET", "/v1/deliveries"],
    ["GET", "/v1/deliveries/{dlv}"],
    ["POST", "/v1/deliveries/{dlv}/retry"],
    ["GET", "/v1/no_such_route"],
  ] as const;
  const authentication = { status: 401, code: "api_key_invalid", type: "authentication_error" };

  /** Calls the API with exactly these headers: no key unless `authorization` is given. */
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    authorization?: string,
  ): ReturnType<TestServer["api"]> => {
    const response = await fetch(`${server.url}${fill(path)}`, {
      method,
      headers: {
        ...(authorization === undefined ? {} : { authorization }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };

  it.each(routes)(
    "%s %s without an Authorization header is a 401 and writes nothing",
    async (method, path, body?) => {
      const before = await snapshot();
      expectError(await call(method, path, body), authentication);
      expect(await snapshot()).toStrictEqual(before);
    },
  );

  it.each([
    ["a wrong key", "Bearer hk_test_not_the_root_key_000"],
    ["the right key under Basic", `Basic ${Buffer.from(`${API_KEY}:`).toString("base64")}`],
    ["the bare key with no scheme", API_KEY],
    ["Bearer with no key", "Bearer "],
    ["the key followed by another word", `Bearer ${API_KEY} extra`],
    ["the key with a character missing", `Bearer ${API_KEY.slice(0, -1)}`],
  ])("refuses %s with a 401 and writes nothing", async (_, authorization) => {
    const before = await snapshot();
    expectError(await call("POST", "/v1/events", event, authorization), authentication);
    expect(await snapshot()).toStrictEqual(before);
  });

  it("checks the key before the body, so a caller without a key learns nothing about the input", async () => {
    expectError(await call("POST", "/v1/events", { type: "a b" }), authentication);
  });

  it.each([`bearer ${API_KEY}`, `BEARER ${API_KEY}`, `Bearer   ${API_KEY}  `])(
    "accepts %j: the scheme name is case-insensitive (RFC 9110 §11.1)",
    async (authorization) => {
      const created = await call("POST", "/v1/events", event, authorization);
      expect(created.status).toBe(200);
      expect(created.body.object).toBe("event");
    },
  );

  it.each(["/healthz", "/readyz"])(
    "answers %s without a key, and with a wrong one",
    async (path) => {
      for (const authorization of [undefined, "Bearer wrong"]) {
        const response = await call("GET", path, undefined, authorization);
        expect(response.status).toBe(200);
        expect(response.body.status).toBe("ok");
      }
    },
  );
});

describe("unknown routes and unexpected errors", () => {
  it.each([
    ["GET", "/v1/no_such_route"],
    ["PUT", "/v1/events"],
    ["DELETE", "/v1/events/{evt}"],
    ["GET", "/v2/events"],
  ])("answers %s %s with a 404 in the error shape", async (method, path) => {
    const before = await snapshot();
    expectError(await server.api(method, fill(path)), { status: 404, code: "resource_missing" });
    expect(await snapshot()).toStrictEqual(before);
  });

  it("answers an unexpected error with a generic 500 that leaks nothing", async () => {
    const secret = "SQLITE_CORRUPT at /var/lib/hookline/secret-path.db";
    server.store.listEndpoints = async () => {
      throw new Error(secret);
    };
    const response = await fetch(`${server.url}/v1/webhook_endpoints`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toStrictEqual({
      error: {
        type: "api_error",
        code: "internal_error",
        message: "An internal error occurred; it was logged with this request's id.",
      },
    });
    expect(text).not.toMatch(/SQLITE|secret-path|\.ts|at /);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
  });
});

describe("cursor pagination", () => {
  it("pages through 25 endpoints with limit=10 and starting_after, then back with ending_before", async () => {
    // The seeded endpoint is the oldest; 25 more make 26 in all.
    for (let i = 0; i < 25; i++) {
      const created = await server.api("POST", "/v1/webhook_endpoints", {
        url: `https://example.com/hooks/${i}`,
        enabled_events: ["*"],
      });
      expect(created.status).toBe(200);
    }
    const all = (await server.api("GET", "/v1/webhook_endpoints?limit=100")).body;
    expect(all.has_more).toBe(false);
    const newestFirst: string[] = all.data.map((e: { id: string }) => e.id);
    expect(newestFirst).toHaveLength(26);
    expect(newestFirst.at(-1)).toBe(ids.we);

    const page = async (query: string) => {
      const response = await server.api("GET", `/v1/webhook_endpoints?limit=10${query}`);
      expect(response.status).toBe(200);
      expect(response.body.object).toBe("list");
      return {
        ids: response.body.data.map((e: { id: string }) => e.id) as string[],
        hasMore: response.body.has_more as boolean,
      };
    };
    const first = await page("");
    const second = await page(`&starting_after=${first.ids.at(-1)}`);
    const third = await page(`&starting_after=${second.ids.at(-1)}`);
    expect([first.hasMore, second.hasMore, third.hasMore]).toEqual([true, true, false]);
    expect(first.ids).toEqual(newestFirst.slice(0, 10));
    expect(second.ids).toEqual(newestFirst.slice(10, 20));
    expect(third.ids).toEqual(newestFirst.slice(20));

    // Back again: has_more now says whether newer objects remain before the page.
    const backToSecond = await page(`&ending_before=${third.ids[0]}`);
    const backToFirst = await page(`&ending_before=${backToSecond.ids[0]}`);
    expect(backToSecond).toEqual({ ids: second.ids, hasMore: true });
    expect(backToFirst).toEqual({ ids: first.ids, hasMore: false });
    const beforeNewest = await page(`&ending_before=${newestFirst[0]}`);
    expect(beforeNewest).toEqual({ ids: [], hasMore: false });
  });

  it("returns an empty last page after the oldest object", async () => {
    const after = await server.api("GET", `/v1/webhook_endpoints?starting_after=${ids.we}`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ object: "list", data: [], has_more: false });
  });
});
