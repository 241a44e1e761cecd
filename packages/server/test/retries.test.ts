import { afterEach, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// A short schedule (three retries 50 ms apart) and timeout keep these tests fast; the logic is
// the one that runs with the three-day default.
const FAST = { HOOKLINE_RETRY_SCHEDULE: "50ms,50ms,50ms", HOOKLINE_DELIVERY_TIMEOUT: "300ms" };

describe("retries: each receiver behaviour ends in the right state with the right attempts", () => {
  let server: TestServer;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server.stop();
  });

  async function scenario(respond: Parameters<typeof startReceiver>[0]) {
    server = await startTestServer(FAST);
    const receiver = await startReceiver(respond);
    cleanups.push(receiver.close);
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    const event = await server.api("POST", "/v1/events", {
      type: "invoice.payment_failed",
      data: { object: { id: "in_1" } },
    });
    const delivery = async () => {
      const list = await server.api("GET", `/v1/deliveries?event=${event.body.id}`);
      const full = await server.api("GET", `/v1/deliveries/${list.body.data[0].id}`);
      return full.body;
    };
    const settled = (status: string) =>
      waitFor(
        async () => {
          const d = await delivery();
          return d.status === status ? d : undefined;
        },
        10_000,
        `delivery ${status}`,
      );
    return { receiver, endpoint: endpoint.body, event: event.body, delivery, settled };
  }

  it("succeeds on the third attempt after two 500s, with three attempts recorded", async () => {
    const { receiver, settled } = await scenario((_, i) =>
      i < 2 ? { status: 500, body: "boom" } : undefined,
    );
    const d = await settled("succeeded");
    expect(d.attempt_count).toBe(3);
    expect(d.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 200]);
    expect(d.attempts[0]).toMatchObject({ response_body: "boom", error: { kind: "http_status" } });
    expect(d.attempts[2].error).toBeNull();
    // The same event bytes and id on every attempt.
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
  });

  it("keeps a burst that fails twice on its schedule: every event succeeds on its third attempt, the circuit never opens", async () => {
    // 20 events whose first two attempts get a prompt 500: 40 failures in a row from a live
    // server. The old breaker opened on 5 of them and held the rest for a cooldown and a probe.
    server = await startTestServer(FAST);
    const tries = new Map<string, number>();
    const receiver = await startReceiver((request) => {
      const id = String(request.headers["webhook-id"]);
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      return n <= 2 ? { status: 500 } : undefined;
    });
    cleanups.push(receiver.close);
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: { i } } }),
      ),
    );
    await waitFor(() => receiver.received.length === 60, 20_000, "three attempts of each event");
    const list = await server.api("GET", `/v1/deliveries?endpoint=${endpoint.body.id}&limit=100`);
    const settled = await waitFor(async () => {
      const again = await server.api(
        "GET",
        `/v1/deliveries?endpoint=${endpoint.body.id}&limit=100`,
      );
      const all = again.body.data as { status: string; attempt_count: number }[];
      return all.every((d) => d.status === "succeeded") ? all : undefined;
    }, 10_000);
    expect(list.body.data).toHaveLength(20);
    expect(settled.map((d) => d.attempt_count)).toEqual(Array(20).fill(3));
    expect([...tries.values()]).toEqual(Array(20).fill(3));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^hookline_circuits_opened_total\{reason="error_rate"\} 0$/m);
    expect(metrics).toMatch(/^hookline_circuits_opened_total\{reason="unreachable"\} 0$/m);
  });

  it("fails after the last step of the schedule when the receiver always answers 500", async () => {
    const { receiver, settled, event } = await scenario(() => ({ status: 500 }));
    const d = await settled("failed");
    expect(d.attempt_count).toBe(4);
    expect(receiver.received).toHaveLength(4);
    expect(d.next_attempt_at).toBeNull();
    const failing = await server.api("GET", "/v1/events?delivery_success=false");
    expect(failing.body.data.map((e: { id: string }) => e.id)).toEqual([event.id]);
    expect((await server.api("GET", `/v1/events/${event.id}`)).body.pending_webhooks).toBe(0);
  });

  it("honours Retry-After on a 429, at least a second later", async () => {
    const { receiver, settled } = await scenario((_, i) =>
      i === 0 ? { status: 429, headers: { "retry-after": "1" } } : undefined,
    );
    const d = await settled("succeeded");
    expect(d.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([429, 200]);
    const gap = receiver.received[1]!.at - receiver.received[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
  });

  it("disables the endpoint on 410 Gone and stops at once", async () => {
    const { receiver, settled, endpoint } = await scenario(() => ({ status: 410 }));
    const d = await settled("failed");
    expect(d.attempt_count).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const after = await server.api("GET", `/v1/webhook_endpoints/${endpoint.id}`);
    expect(after.body).toMatchObject({
      status: "disabled",
      disabled_reason: expect.stringContaining("410"),
    });
    // An event sent right after is not sent to the disabled endpoint, but recorded as skipped.
    const next = await server.api("POST", "/v1/events", { type: "x.y", data: { object: {} } });
    expect(next.body.pending_webhooks).toBe(0);
    const skipped = await server.api("GET", `/v1/deliveries?event=${next.body.id}`);
    expect(skipped.body.data).toMatchObject([{ status: "skipped", attempt_count: 0 }]);
    expect(receiver.received).toHaveLength(1);
    const reenabled = await server.api("POST", `/v1/webhook_endpoints/${endpoint.id}`, {
      disabled: false,
    });
    expect(reenabled.body.status).toBe("enabled");
  });

  it("records a timeout when the receiver hangs past the delivery timeout, and retries", async () => {
    const { settled } = await scenario((_, i) => (i < 1 ? "hang" : undefined));
    const d = await settled("succeeded");
    expect(d.attempts[0]).toMatchObject({ status_code: null, error: { kind: "timeout" } });
    expect(d.attempts[1].status_code).toBe(200);
  });

  it("never follows a redirect: a 302 is a failed attempt", async () => {
    const target = await startReceiver();
    cleanups.push(target.close);
    const { settled } = await scenario(() => ({ status: 302, headers: { location: target.url } }));
    const d = await settled("failed");
    expect(d.attempts.every((a: { status_code: number }) => a.status_code === 302)).toBe(true);
    expect(target.received).toHaveLength(0);
  });

  it("retries a failed delivery on request, and records the new attempt", async () => {
    let healthy = false;
    const { settled, delivery } = await scenario(() => (healthy ? undefined : { status: 503 }));
    const failed = await settled("failed");
    healthy = true;
    const retried = await server.api("POST", `/v1/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(200);
    const d = await settled("succeeded");
    expect(d.attempt_count).toBe(5);
    expect((await delivery()).attempts.at(-1).status_code).toBe(200);
  });

  it("refuses a loopback target when loopback is not allowed, with a clear attempt error and no request", async () => {
    server = await startTestServer(FAST, { allowLoopback: false });
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    await server.api("POST", "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] });
    const event = await server.api("POST", "/v1/events", { type: "a.b", data: { object: {} } });
    const failed = await waitFor(async () => {
      const list = await server.api("GET", `/v1/deliveries?event=${event.body.id}`);
      return list.body.data[0]?.status === "failed" ? list.body.data[0] : undefined;
    });
    const full = await server.api("GET", `/v1/deliveries/${failed.id}`);
    expect(full.body.attempts).toHaveLength(1);
    expect(full.body.attempts[0].error).toMatchObject({
      kind: "address_blocked",
      message: expect.stringContaining("loopback"),
    });
    expect(receiver.received).toHaveLength(0);
  });
});
