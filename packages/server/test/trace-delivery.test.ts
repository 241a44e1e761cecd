import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { type Received, startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Trace context end to end (docs/observability.md, "Traces"): a real server on each store, a
// real receiver on 127.0.0.1, the real threaded sender. The first attempt of a delivery is
// claimed at insert and its retry through the store's claim, so both paths carry the trace.

const FAST = { HOOKLINE_RETRY_SCHEDULE: "50ms,50ms,50ms", HOOKLINE_DELIVERY_TIMEOUT: "2s" };
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

function parts(received: Received) {
  const match = TRACEPARENT.exec(String(received.headers.traceparent));
  expect(match, `traceparent ${received.headers.traceparent}`).not.toBeNull();
  const [, trace, span, flags] = match!;
  return { trace: trace!, span: span!, flags: flags! };
}

const stores = [
  { name: "SQLite", database: async () => undefined },
  { name: "PostgreSQL", database: async () => freshDatabase() },
] as const;

describe.each(stores)("trace context on deliveries ($name)", ({ database }) => {
  let server: TestServer;
  let db: FreshDatabase | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server.stop();
    await db?.drop();
  });

  async function start(respond?: Parameters<typeof startReceiver>[0]) {
    db = await database();
    server =
      db === undefined
        ? await startTestServer(FAST)
        : await startTestServer(
            // PostgreSQL wants the key every node shares.
            { ...FAST, HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
            { database: db.url },
          );
    const receiver = await startReceiver(respond);
    cleanups.push(receiver.close);
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    expect(endpoint.status).toBe(200);
    return receiver;
  }

  async function attemptsOf(eventId: string, count: number) {
    return waitFor(
      async () => {
        const list = await server.api("GET", `/v1/deliveries?event=${eventId}`);
        const id = list.body.data[0]?.id;
        if (id === undefined) return undefined;
        const full = await server.api("GET", `/v1/deliveries/${id}`);
        return full.body.attempts.length === count ? full.body.attempts : undefined;
      },
      10_000,
      `${count} attempts recorded`,
    );
  }

  it("continues the ingest request's trace: same trace id, a new span id per attempt, flags and tracestate kept, shown on the attempts", async () => {
    const receiver = await start((_, i) => (i === 0 ? { status: 500 } : undefined));
    const event = await server.api(
      "POST",
      "/v1/events",
      { type: "invoice.paid", data: { object: { id: "in_1" } } },
      { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: "congo=t61rcWkgMzE, rojo=1" },
    );
    expect(event.status).toBe(200);
    await waitFor(() => receiver.received.length === 2, 10_000, "two attempts");
    const [first, second] = receiver.received.map(parts);
    expect(first).toMatchObject({ trace: TRACE, flags: "01" });
    expect(second).toMatchObject({ trace: TRACE, flags: "01" });
    expect(first!.span).not.toBe(SPAN);
    expect(second!.span).not.toBe(first!.span);
    for (const r of receiver.received)
      expect(r.headers.tracestate).toBe("congo=t61rcWkgMzE,rojo=1");
    const attempts = await attemptsOf(event.body.id, 2);
    expect(attempts.map((a: { trace_parent: string }) => a.trace_parent)).toEqual(
      receiver.received.map((r) => r.headers.traceparent),
    );
    expect(attempts[0].request_headers.traceparent).toBe(attempts[0].trace_parent);
  });

  it("keeps an unsampled request unsampled", async () => {
    const receiver = await start();
    await server.api(
      "POST",
      "/v1/events",
      { type: "invoice.paid", data: { object: { id: "in_1" } } },
      { traceparent: `00-${TRACE}-${SPAN}-00` },
    );
    await waitFor(() => receiver.received.length === 1, 10_000, "the delivery");
    expect(parts(receiver.received[0]!)).toMatchObject({ trace: TRACE, flags: "00" });
  });

  it("ignores an invalid traceparent and its tracestate: the event is accepted and starts a fresh, valid trace", async () => {
    const receiver = await start();
    const invalid = [`00-${TRACE.toUpperCase()}-${SPAN}-01`, `00-${"0".repeat(32)}-${SPAN}-01`];
    for (const traceparent of invalid) {
      const event = await server.api(
        "POST",
        "/v1/events",
        { type: "invoice.paid", data: { object: { id: "in_1" } } },
        { traceparent, tracestate: "a=1" },
      );
      expect(event.status).toBe(200);
    }
    await waitFor(() => receiver.received.length === 2, 10_000, "two deliveries");
    const traces = receiver.received.map(parts);
    for (const t of traces) expect(t.trace).not.toBe(TRACE);
    expect(traces[0]!.trace).not.toBe(traces[1]!.trace);
    for (const r of receiver.received) expect(r.headers.tracestate).toBeUndefined();
  });

  it("without a traceparent, gives each event a trace of its own that all its attempts share", async () => {
    const receiver = await start((_, i) => (i < 2 ? { status: 503 } : undefined));
    const a = await server.api("POST", "/v1/events", {
      type: "invoice.paid",
      data: { object: { id: "in_1" } },
    });
    await waitFor(() => receiver.received.length === 3, 10_000, "three attempts");
    const first = parts(receiver.received[0]!);
    expect(receiver.received.map((r) => parts(r).trace)).toEqual([
      first.trace,
      first.trace,
      first.trace,
    ]);
    expect(new Set(receiver.received.map((r) => parts(r).span)).size).toBe(3);
    await server.api("POST", "/v1/events", {
      type: "invoice.paid",
      data: { object: { id: "in_2" } },
    });
    await waitFor(() => receiver.received.length === 4, 10_000, "the second event");
    expect(parts(receiver.received[3]!).trace).not.toBe(first.trace);
    expect((await attemptsOf(a.body.id, 3))[2].trace_parent).toMatch(TRACEPARENT);
  });

  it("continues a batch request's trace on every item's delivery", async () => {
    const receiver = await start();
    const batch = await server.api(
      "POST",
      "/v1/events/batch",
      {
        events: [1, 2, 3].map((n) => ({
          type: "invoice.paid",
          data: { object: { id: `in_${n}` } },
        })),
      },
      { traceparent: `00-${TRACE}-${SPAN}-01` },
    );
    expect(batch.status).toBe(200);
    await waitFor(() => receiver.received.length === 3, 10_000, "three deliveries");
    const traced = receiver.received.map(parts);
    expect(traced.map((t) => t.trace)).toEqual([TRACE, TRACE, TRACE]);
    expect(new Set(traced.map((t) => t.span)).size).toBe(3);
  });
});
