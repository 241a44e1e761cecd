import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT } from "../src/api/context.ts";
import { startReceiver } from "./support/receiver.ts";
import {
  expectError,
  invalid,
  missing,
  noSuch,
  notJson,
  type Refusal,
  tooLarge,
  unknown,
} from "./support/refusals.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Bad input on the endpoint-health routes (recover, event retry, the health report, rate_limit,
// retrying to a disabled endpoint): each request below is refused with the right status and a
// Stripe-shaped error, and leaves the database exactly as it was. The seeded state always has
// something a wrongly accepted request would change: a failed delivery that recovery or a retry
// would re-queue, and a skipped one to a disabled endpoint.

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

let server: TestServer;
let failing: boolean;
/** One receiver per endpoint, so what each endpoint was sent can be counted. */
let receivers: { we: Receiver; off: Receiver; other: Receiver };
/**
 * `we`: enabled, its delivery of `evt` failed (retries exhausted). `off`: disabled, its delivery
 * of `evt` skipped. `other`: enabled, subscribed to other types, so `evt` never went to it.
 */
let ids: { we: string; off: string; other: string; evt: string; failed: string; skipped: string };

beforeEach(async () => {
  failing = true;
  // Two quick attempts, then `failed`: under the ladder's and the breaker's thresholds (5).
  server = await startTestServer({ HOOKLINE_RETRY_SCHEDULE: "10ms" });
  receivers = {
    // Slow successes keep a re-queued delivery pending or in flight while a test calls again.
    we: await startReceiver(() => (failing ? { status: 500 } : { status: 200, delayMs: 300 })),
    off: await startReceiver(),
    other: await startReceiver(() => ({ status: 200, delayMs: 300 })),
  };
  const create = async (url: string, types: string[]) => {
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url,
      enabled_events: types,
    });
    expect(created.status).toBe(200);
    return created.body.id as string;
  };
  const we = await create(receivers.we.url, ["invoice.*"]);
  const off = await create(receivers.off.url, ["invoice.*"]);
  const other = await create(receivers.other.url, ["customer.*"]);
  expect(
    (await server.api("POST", `/v1/webhook_endpoints/${off}`, { disabled: true })).status,
  ).toBe(200);
  const event = await server.api("POST", "/v1/events", {
    type: "invoice.paid",
    data: { object: { id: "in_1" } },
  });
  const deliveries = await waitFor(async () => {
    const list = (await server.api("GET", `/v1/deliveries?event=${event.body.id}`)).body.data;
    const failed = list.find((d: { endpoint: string }) => d.endpoint === we);
    const skipped = list.find((d: { endpoint: string }) => d.endpoint === off);
    return failed?.status === "failed" && skipped?.status === "skipped"
      ? { failed: failed.id as string, skipped: skipped.id as string }
      : undefined;
  });
  // The operational events those emit (no endpoint subscribes): settled before any snapshot.
  await waitFor(async () => {
    const types = (await server.api("GET", "/v1/events?type=hookline.*")).body.data.map(
      (e: { type: string }) => e.type,
    );
    return types.includes("hookline.endpoint.disabled") &&
      types.includes("hookline.delivery.exhausted")
      ? true
      : undefined;
  });
  failing = false;
  ids = { we, off, other, evt: event.body.id, ...deliveries };
});
afterEach(async () => {
  for (const r of Object.values(receivers)) await r.close();
  await server.stop();
});

async function snapshot() {
  const list = async (path: string) => (await server.api("GET", `${path}?limit=100`)).body;
  const endpoint = (id: string) => server.store.getEndpoint(DEFAULT_TENANT, id);
  return {
    endpoints: await list("/v1/webhook_endpoints"),
    events: await list("/v1/events"),
    deliveries: await list("/v1/deliveries"),
    rows: [await endpoint(ids.we), await endpoint(ids.off), await endpoint(ids.other)],
    failed: await server.store.getDelivery(DEFAULT_TENANT, ids.failed),
    skipped: await server.store.getDelivery(DEFAULT_TENANT, ids.skipped),
    received: Object.values(receivers).map((r) => r.received.length),
  };
}

/** `{we}`, `{off}`, `{other}`, `{evt}`, `{failed}`, `{skipped}` stand for the seeded ids. */
const fill = (text: string) =>
  text.replace(/\{(we|off|other|evt|failed|skipped)\}/g, (_, key: keyof typeof ids) => ids[key]);
const fillBody = (body: unknown) =>
  body === undefined
    ? undefined
    : typeof body === "string"
      ? fill(body)
      : JSON.parse(fill(JSON.stringify(body)));

async function expectRefusedWithoutWrites(c: Refusal) {
  const before = await snapshot();
  const response = await server.api(c.method, fill(c.path), fillBody(c.body), c.headers);
  expectError(response, c);
  expect(await snapshot()).toStrictEqual(before);
}

const UNKNOWN_WE = "we_0000000000000000000000000";
const UNKNOWN_EVT = "evt_0000000000000000000000000";
const disabled = { status: 400, code: "endpoint_disabled" };
const huge = (body: Record<string, unknown>) => ({ ...body, padding: "x".repeat(257 * 1024) });
const SINCE = 1_700_000_000;

// biome-ignore format: one row per case reads as a table
const recover: Refusal[] = [
  // As on every route whose body is optional, no body is an empty one: since is missing.
  { name: "no body at all", body: undefined, ...missing("since") },
  { name: "an empty object", body: {}, ...missing("since") },
  { name: "until without since", body: { until: SINCE }, ...missing("since") },
  { name: 'since as a string ("1700000000")', body: { since: String(SINCE) }, ...invalid("since") },
  { name: "since: -1", body: { since: -1 }, ...invalid("since") },
  { name: "since: 1.5", body: { since: 1.5 }, ...invalid("since") },
  { name: "since: null", body: { since: null }, ...invalid("since") },
  { name: "since: true", body: { since: true }, ...invalid("since") },
  { name: 'since as a date string ("2026-01-01")', body: { since: "2026-01-01" }, ...invalid("since") },
  { name: 'until: "now"', body: { since: 0, until: "now" }, ...invalid("until") },
  { name: "until: -1", body: { since: 0, until: -1 }, ...invalid("until") },
  { name: "until earlier than since", body: { since: SINCE, until: SINCE - 1 }, ...invalid("until") },
  // A time no clock reaches: ms overflow to Infinity (until 1e308 re-queued everything and
  // answered `until: null`) or lose precision (1e20 answered 99999999999999980000).
  { name: "until: 1e308", body: { since: 0, until: 1e308 }, ...invalid("until") },
  { name: "since and until: 1e20", body: { since: 1e20, until: 1e20 }, ...invalid("since") },
  // The caller sent no until: the error must name the parameter they did send.
  { name: "since in the future without until", body: { since: 4_102_444_800 }, ...invalid("since") },
  { name: "an unknown field", body: { since: 0, endpoint: "{we}" }, ...unknown("endpoint") },
  { name: "status, which recovery does not take", body: { since: 0, status: "failed" }, ...unknown("status") },
  { name: "malformed JSON", body: '{"since": 0,', ...notJson },
  { name: "an array for a body", body: [{ since: 0 }], ...invalid("body") },
  { name: "a body over 256 KB", body: huge({ since: 0 }), ...tooLarge },
  { name: "an unknown we_ id", path: `/v1/webhook_endpoints/${UNKNOWN_WE}/recover`, ...noSuch() },
  { name: "a garbage id", path: "/v1/webhook_endpoints/not-an-id/recover", ...noSuch() },
  { name: "an event's id", path: "/v1/webhook_endpoints/{evt}/recover", ...noSuch() },
  { name: "a disabled endpoint", path: "/v1/webhook_endpoints/{off}/recover", ...disabled },
].map((c) => ({ method: "POST", path: "/v1/webhook_endpoints/{we}/recover", body: { since: 0 }, ...c }));

// biome-ignore format: one row per case reads as a table
const retryEvent: Refusal[] = [
  { name: "an unknown evt_ id", path: `/v1/events/${UNKNOWN_EVT}/retry`, ...noSuch() },
  { name: "a garbage id", path: "/v1/events/%24%7Bid%7D/retry", ...noSuch() },
  { name: "a delivery's id", path: "/v1/events/{failed}/retry", ...noSuch() },
  { name: "an endpoint's id", path: "/v1/events/{we}/retry", ...noSuch() },
  { name: "an unknown event, even with a good endpoint", path: `/v1/events/${UNKNOWN_EVT}/retry`, body: { endpoint: "{we}" }, ...noSuch() },
  { name: "an unknown we_ endpoint", body: { endpoint: UNKNOWN_WE }, ...noSuch("endpoint") },
  { name: "a garbage endpoint", body: { endpoint: "nope" }, ...noSuch("endpoint") },
  { name: "an empty endpoint", body: { endpoint: "" }, ...noSuch("endpoint") },
  { name: "the event's id as endpoint", body: { endpoint: "{evt}" }, ...noSuch("endpoint") },
  { name: "a disabled endpoint", body: { endpoint: "{off}" }, ...disabled, param: "endpoint" },
  { name: "endpoint: 123", body: { endpoint: 123 }, ...invalid("endpoint") },
  { name: "endpoint: null", body: { endpoint: null }, ...invalid("endpoint") },
  { name: "endpoint: a list of ids", body: { endpoint: ["{we}"] }, ...invalid("endpoint") },
  { name: "endpoint over 100 characters", body: { endpoint: `we_${"x".repeat(100)}` }, ...invalid("endpoint") },
  { name: "an unknown field", body: { endpoints: ["{we}"] }, ...unknown("endpoints") },
  { name: "an unknown field beside endpoint", body: { endpoint: "{we}", force: true }, ...unknown("force") },
  { name: "malformed JSON", body: '{"endpoint": ', ...notJson },
  { name: "an array for a body", body: ["{we}"], ...invalid("body") },
  { name: "a body over 256 KB", body: huge({}), ...tooLarge },
].map((c) => ({ method: "POST", path: "/v1/events/{evt}/retry", ...c }));

// biome-ignore format: one row per case reads as a table
const healthReport: Refusal[] = [
  { name: "an unknown we_ id", path: `/v1/webhook_endpoints/${UNKNOWN_WE}/health`, ...noSuch() },
  { name: "a garbage id", path: "/v1/webhook_endpoints/..%2F..%2Fevents/health", ...noSuch() },
  { name: "an event's id", path: "/v1/webhook_endpoints/{evt}/health", ...noSuch() },
  { name: "a window query parameter", path: "/v1/webhook_endpoints/{we}/health?window=1h", ...unknown("window") },
  { name: "a limit query parameter", path: "/v1/webhook_endpoints/{we}/health?limit=10", ...unknown("limit") },
].map((c) => ({ method: "GET", ...c }));

const endpoint = { url: "https://example.com/webhooks", enabled_events: ["*"] };
// biome-ignore format: one row per value reads as a table
const badRateLimits = [
  { name: "0", value: 0 },
  { name: "-1", value: -1 },
  { name: "1.5", value: 1.5 },
  { name: '"10"', value: "10" },
  { name: "100001", value: 100_001 },
  { name: "true", value: true },
  { name: "{}", value: {} },
];
const rateLimit: Refusal[] = [
  ...badRateLimits.map(({ name, value }) => ({
    name: `create with rate_limit ${name}`,
    method: "POST",
    path: "/v1/webhook_endpoints",
    body: { ...endpoint, rate_limit: value },
    ...invalid("rate_limit"),
  })),
  ...["POST", "PATCH"].flatMap((method) =>
    badRateLimits.map(({ name, value }) => ({
      name: `${method}: update with rate_limit ${name}`,
      method,
      path: "/v1/webhook_endpoints/{we}",
      body: { rate_limit: value },
      ...invalid("rate_limit"),
    })),
  ),
];

// biome-ignore format: one row per case reads as a table
const retryDelivery: Refusal[] = [
  { name: "a skipped delivery to a disabled endpoint", path: "/v1/deliveries/{skipped}/retry", ...disabled },
].map((c) => ({ method: "POST", ...c }));

describe("bad input on the endpoint-health routes is refused with a Stripe-shaped error and writes nothing", () => {
  it.each(recover)("recover refuses $name", expectRefusedWithoutWrites);
  it.each(retryEvent)("event retry refuses $name", expectRefusedWithoutWrites);
  it.each(healthReport)("the health report refuses $name", expectRefusedWithoutWrites);
  it.each(rateLimit)("endpoints: $name is refused", expectRefusedWithoutWrites);
  it.each(retryDelivery)("delivery retry refuses $name", expectRefusedWithoutWrites);

  it.each([
    ["POST", "/v1/webhook_endpoints/{we}/recover", { since: 0 }],
    ["POST", "/v1/events/{evt}/retry", { endpoint: "{we}" }],
    ["POST", "/v1/events/{evt}/retry", undefined],
    ["GET", "/v1/webhook_endpoints/{we}/health", undefined],
  ] as const)("%s %s without a key is a 401 and writes nothing", async (method, path, body) => {
    const before = await snapshot();
    const response = await fetch(`${server.url}${fill(path)}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: fill(JSON.stringify(body)) }),
    });
    expectError(
      { status: response.status, body: await response.json() },
      { status: 401, code: "api_key_invalid", type: "authentication_error" },
    );
    expect(await snapshot()).toStrictEqual(before);
  });
});

const deliveriesTo = async (endpointId: string) =>
  (await server.api("GET", `/v1/deliveries?event=${ids.evt}&endpoint=${endpointId}`)).body.data as {
    id: string;
    status: string;
  }[];
const sentTo = (r: Receiver) => r.received.filter((x) => JSON.parse(x.body).id === ids.evt).length;

describe("recover", () => {
  it("re-queues the failed delivery, answers how many, and re-queues nothing twice", async () => {
    const sent = sentTo(receivers.we);
    const call = () =>
      server.api("POST", `/v1/webhook_endpoints/${ids.we}/recover`, { since: SINCE });
    const first = await call();
    const second = await call();
    expect(first.status).toBe(200);
    expect(first.body).toStrictEqual({
      object: "webhook_endpoint_recovery",
      endpoint: ids.we,
      since: SINCE,
      until: expect.any(Number),
      requeued: 1,
    });
    expect(Math.abs(first.body.until - Date.now() / 1000)).toBeLessThan(60);
    expect(second.status).toBe(200);
    expect(second.body.requeued).toBe(0);
    await waitFor(async () => (await deliveriesTo(ids.we))[0]?.status === "succeeded");
    expect(sentTo(receivers.we)).toBe(sent + 1);
  });

  it("re-queues nothing outside the window, and takes until equal to since", async () => {
    const recover = (body: unknown) =>
      server.api("POST", `/v1/webhook_endpoints/${ids.we}/recover`, body);
    const now = Math.floor(Date.now() / 1000);
    const before = await recover({ since: SINCE, until: SINCE });
    expect(before.body).toMatchObject({ since: SINCE, until: SINCE, requeued: 0 });
    const after = await recover({ since: now + 3600, until: now + 7200 });
    expect(after.body).toMatchObject({ since: now + 3600, until: now + 7200, requeued: 0 });
    expect((await deliveriesTo(ids.we))[0]?.status).toBe("failed");
  });

  it("re-queues skipped deliveries once the endpoint is enabled again, exactly once", async () => {
    const enabled = await server.api("POST", `/v1/webhook_endpoints/${ids.off}`, {
      disabled: false,
    });
    expect(enabled.body.status).toBe("enabled");
    const call = () => server.api("POST", `/v1/webhook_endpoints/${ids.off}/recover`, { since: 0 });
    expect((await call()).body.requeued).toBe(1);
    expect((await call()).body.requeued).toBe(0);
    await waitFor(async () => (await deliveriesTo(ids.off))[0]?.status === "succeeded");
    expect(sentTo(receivers.off)).toBe(1);
  });
});

describe("event retry", () => {
  const retry = (body?: unknown) => server.api("POST", `/v1/events/${ids.evt}/retry`, body);

  it("without endpoint: re-queues the event to every enabled endpoint it went to, once", async () => {
    const [first, second] = [await retry(), await retry()];
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      object: "list",
      has_more: false,
      url: `/v1/events/${ids.evt}/retry`,
    });
    const byEndpoint = Object.fromEntries(
      first.body.data.map((d: { endpoint: string }) => [d.endpoint, d]),
    );
    expect(Object.keys(byEndpoint).sort()).toEqual([ids.we, ids.off].sort());
    expect(byEndpoint[ids.we]).toMatchObject({
      id: ids.failed,
      object: "webhook_delivery",
      event: ids.evt,
      status: "pending",
      next_attempt_at: expect.any(Number),
    });
    // The disabled endpoint's delivery is reported, and left skipped.
    expect(byEndpoint[ids.off]).toMatchObject({ id: ids.skipped, status: "skipped" });
    expect(second.status).toBe(200);
    expect(second.body.data.map((d: { id: string }) => d.id).sort()).toEqual(
      [ids.failed, ids.skipped].sort(),
    );
    await waitFor(async () => (await deliveriesTo(ids.we))[0]?.status === "succeeded");
    expect(sentTo(receivers.we)).toBe(3); // two failed attempts, then this one
    expect(sentTo(receivers.off)).toBe(0);
    expect((await deliveriesTo(ids.off))[0]?.status).toBe("skipped");
  });

  it("with endpoint: re-queues that endpoint's delivery only", async () => {
    const response = await retry({ endpoint: ids.we });
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(1);
    expect(response.body.data[0]).toMatchObject({
      id: ids.failed,
      endpoint: ids.we,
      status: "pending",
    });
    await waitFor(async () => (await deliveriesTo(ids.we))[0]?.status === "succeeded");
    expect(sentTo(receivers.we)).toBe(3);
  });

  it("with an endpoint the event never went to: creates one delivery, once even if called twice", async () => {
    const [first, second] = [
      await retry({ endpoint: ids.other }),
      await retry({ endpoint: ids.other }),
    ];
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(1);
    expect(first.body.data[0]).toMatchObject({
      id: expect.stringMatching(/^dlv_/),
      object: "webhook_delivery",
      event: ids.evt,
      endpoint: ids.other,
      attempt_count: 0,
    });
    expect(["pending", "in_flight"]).toContain(first.body.data[0].status);
    expect(second.status).toBe(200);
    expect(second.body.data.map((d: { id: string }) => d.id)).toEqual([first.body.data[0].id]);
    await waitFor(async () => (await deliveriesTo(ids.other))[0]?.status === "succeeded");
    expect(await deliveriesTo(ids.other)).toHaveLength(1);
    expect(sentTo(receivers.other)).toBe(1);
  });
});

describe("rate_limit and the health report", () => {
  it("stores rate_limit on create, changes it on update, and clears it with null", async () => {
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      ...endpoint,
      rate_limit: 100_000,
    });
    expect(created.body.rate_limit).toBe(100_000);
    const path = `/v1/webhook_endpoints/${created.body.id}`;
    expect((await server.api("PATCH", path, { rate_limit: 1 })).body.rate_limit).toBe(1);
    expect((await server.api("POST", path, { rate_limit: null })).body.rate_limit).toBeNull();
    expect((await server.api("GET", path)).body.rate_limit).toBeNull();
    const none = await server.api("POST", "/v1/webhook_endpoints", {
      ...endpoint,
      rate_limit: null,
    });
    expect(none.body.rate_limit).toBeNull();
  });

  it("reports the endpoint's place on the ladder, its recent attempts and open deliveries", async () => {
    const report = await server.api("GET", `/v1/webhook_endpoints/${ids.we}/health`);
    expect(report.status).toBe(200);
    expect(report.body).toStrictEqual({
      object: "webhook_endpoint_health",
      endpoint: ids.we,
      status: "enabled",
      state: "healthy",
      consecutive_failures: 2,
      failing_since: expect.any(Number),
      disable_at: null,
      last_success_at: null,
      last_failure_at: expect.any(Number),
      window: {
        since: expect.any(Number),
        attempts: 2,
        success_rate: 0,
        latency_ms: { p50: expect.any(Number), p95: expect.any(Number) },
      },
      deliveries: { pending: 0, in_flight: 0, failed: 1, skipped: 0 },
      circuit: { state: "closed", reason: null, open_until: null },
    });
    const { health } = (await server.api("GET", `/v1/webhook_endpoints/${ids.we}`)).body;
    expect(health).toStrictEqual({
      state: "healthy",
      consecutive_failures: 2,
      failing_since: report.body.failing_since,
      disable_at: null,
      last_success_at: null,
      last_failure_at: report.body.last_failure_at,
    });
  });
});
