import { verify } from "@hookline/webhooks";
import { afterEach, describe, expect, it } from "vitest";
import { type Answer, startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Endpoint health end to end: a real server on a fresh SQLite file, real receivers on loopback,
// and an injected clock so that days pass in milliseconds.

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 1);

describe("endpoint health: the ladder, operational events, skipped deliveries and recovery", () => {
  let server: TestServer;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server.stop();
  });

  async function receiver(respond: () => Answer | undefined) {
    const r = await startReceiver(() => respond());
    cleanups.push(r.close);
    return r;
  }

  async function endpoint(url: string, events: string[]) {
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url,
      enabled_events: events,
    });
    expect(created.status).toBe(200);
    return created.body as { id: string; secret: string };
  }

  const send = async (type: string) =>
    (await server.api("POST", "/v1/events", { type, data: { object: { id: "in_1" } } })).body as {
      id: string;
    };

  const deliveriesOf = async (query: string) =>
    (await server.api("GET", `/v1/deliveries?${query}&limit=100`)).body.data as {
      id: string;
      status: string;
      attempt_count: number;
      next_attempt_at: number | null;
    }[];

  it("climbs the ladder over simulated days, skips while disabled, and recovers everything once", async () => {
    let now = START;
    server = await startTestServer(
      { HOOKLINE_RETRY_SCHEDULE: Array(20).fill("6h").join(","), HOOKLINE_FAILING_AFTER: "3" },
      { clock: () => now },
    );
    let healthy = false;
    const sick = await receiver(() => (healthy ? undefined : { status: 500 }));
    const ops = await receiver(() => undefined);
    const operator = await endpoint(ops.url, ["hookline.*"]);
    const shop = await endpoint(sick.url, ["invoice.*"]);
    const first = await send("invoice.payment_failed");
    const [delivery] = await deliveriesOf(`event=${first.id}`);

    // Attempts every 8 h (the schedule's 6 h ± 20% is always due by then) until disabled.
    let attempts = 1;
    await waitFor(() => sick.received.length === 1, 5000, "the first attempt");
    while (
      (await server.api("GET", `/v1/webhook_endpoints/${shop.id}`)).body.status !== "disabled"
    ) {
      expect(attempts).toBeLessThan(15);
      await waitFor(
        async () =>
          (await server.api("GET", `/v1/deliveries/${delivery!.id}`)).body.attempt_count ===
          attempts,
        5000,
        `attempt ${attempts} recorded`,
      );
      if ((await server.api("GET", `/v1/webhook_endpoints/${shop.id}`)).body.status === "disabled")
        break;
      now += 8 * HOUR;
      attempts++;
      server.dispatcher.wake();
    }
    // Failing at the 3rd failure (16 h), warned once the streak reached 2 days (48 h), disabled
    // at 3 days (72 h): attempts 1..10.
    expect(attempts).toBe(10);

    const notices = await waitFor(
      () => (ops.received.length >= 3 ? ops.received : undefined),
      5000,
      "three operational events",
    );
    const events = notices.map((r) => {
      // Signed at the server's (simulated) time.
      const event = verify(r.body, r.headers as Record<string, string>, operator.secret, {
        toleranceSeconds: Number.POSITIVE_INFINITY,
      }) as unknown as {
        type: string;
        created: number;
        data: { object: Record<string, unknown> & { health: Record<string, unknown> } };
      };
      return event;
    });
    expect(events.map((e) => e.type)).toEqual([
      "hookline.endpoint.failing",
      "hookline.endpoint.disabling_soon",
      "hookline.endpoint.disabled",
    ]);
    expect(events.every((e) => e.data.object.id === shop.id)).toBe(true);
    expect(events[1]!.data.object.health.disable_at).toBe((START + 72 * HOUR) / 1000);
    expect(events[2]!.data.object).toMatchObject({
      status: "disabled",
      reason: expect.stringContaining("10 in a row"),
    });
    expect(events[2]!.data.object).not.toHaveProperty("secret");

    // Disabled: the pending retry and every new event are recorded as skipped, never sent.
    const second = await send("invoice.paid");
    const sentBefore = sick.received.length;
    expect(await deliveriesOf(`endpoint=${shop.id}&status=skipped`)).toHaveLength(2);
    expect((await deliveriesOf(`event=${second.id}`))[0]).toMatchObject({
      status: "skipped",
      attempt_count: 0,
      next_attempt_at: null,
    });
    const health = await server.api("GET", `/v1/webhook_endpoints/${shop.id}/health`);
    expect(health.body).toMatchObject({
      object: "webhook_endpoint_health",
      status: "disabled",
      consecutive_failures: 10,
      // The last 24 h: the attempts at 48, 56, 64 and 72 h.
      window: { attempts: 4, success_rate: 0 },
      deliveries: { pending: 0, skipped: 2 },
    });

    // Fixed and re-enabled: `recovered` is emitted, then recovery resends both, exactly once.
    healthy = true;
    now += HOUR;
    const enabled = await server.api("POST", `/v1/webhook_endpoints/${shop.id}`, {
      disabled: false,
    });
    expect(enabled.body).toMatchObject({
      status: "enabled",
      health: { state: "healthy", consecutive_failures: 0 },
    });
    await waitFor(() => ops.received.length === 4, 5000, "the recovered event");
    expect(JSON.parse(ops.received[3]!.body).type).toBe("hookline.endpoint.recovered");

    const recover = () =>
      server.api("POST", `/v1/webhook_endpoints/${shop.id}/recover`, { since: START / 1000 });
    const [once, twice] = [await recover(), await recover()];
    expect(once.body).toMatchObject({ object: "webhook_endpoint_recovery", requeued: 2 });
    expect(twice.body.requeued).toBe(0);
    await waitFor(
      async () => (await deliveriesOf(`endpoint=${shop.id}&status=succeeded`)).length === 2,
      5000,
      "both recovered deliveries delivered",
    );
    const resent = sick.received.slice(sentBefore).map((r) => JSON.parse(r.body).id);
    expect(resent.sort()).toEqual([first.id, second.id].sort());
    expect(sick.received.length).toBe(sentBefore + 2);
  });

  it("announces exhausted deliveries, but never about its own operational events", async () => {
    let now = START;
    server = await startTestServer({ HOOKLINE_RETRY_SCHEDULE: "1h" }, { clock: () => now });
    const down = await receiver(() => ({ status: 500 }));
    // The operator's endpoint is down too: its own failed deliveries must not breed events.
    await endpoint(down.url, ["hookline.*"]);
    await endpoint(down.url, ["invoice.*"]);
    const event = await send("invoice.payment_failed");
    for (let step = 0; step < 4; step++) {
      await waitFor(
        async () => (await deliveriesOf("status=in_flight")).length === 0,
        5000,
        "no attempt in flight",
      );
      now += 2 * HOUR;
      server.dispatcher.wake();
    }
    const exhausted = await waitFor(async () => {
      const list = await server.api("GET", "/v1/events?type=hookline.delivery.exhausted");
      return list.body.data.length > 0 ? list.body.data : undefined;
    });
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0].data.object).toMatchObject({
      object: "webhook_delivery",
      event: event.id,
      status: "failed",
      attempt_count: 2,
      event_type: "invoice.payment_failed",
    });
    // The delivery of that exhausted event to the operator failed for good as well.
    await waitFor(
      async () =>
        (await deliveriesOf(`event=${exhausted[0].id}`)).every((d) => d.status === "failed"),
      5000,
      "the operational event's own delivery to fail",
    );
    const after = await server.api("GET", "/v1/events?type=hookline.delivery.exhausted");
    expect(after.body.data).toHaveLength(1);
  });
});

describe("isolation: circuit breaker and rate limit", () => {
  let server: TestServer;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server.stop();
  });

  it("opens the circuit when the endpoint stops answering: the backlog waits for one probe, then drains", async () => {
    let now = START;
    server = await startTestServer(
      { HOOKLINE_RETRY_SCHEDULE: "1h", HOOKLINE_CIRCUIT_OPEN_AFTER: "3" },
      { clock: () => now },
    );
    let down = true;
    let probes = 0;
    const sick = await startReceiver(() => {
      if (down) return "reset";
      // The probe answers slowly: nothing else may reach the endpoint before it has answered.
      return probes++ === 0 ? { status: 200, delayMs: 150 } : undefined;
    });
    const fine = await startReceiver();
    cleanups.push(sick.close, fine.close);
    const make = async (url: string, events: string[]) =>
      (await server.api("POST", "/v1/webhook_endpoints", { url, enabled_events: events })).body;
    const sickEndpoint = await make(sick.url, ["invoice.*"]);
    await make(fine.url, ["charge.*"]);
    const post = (type: string) => server.api("POST", "/v1/events", { type, data: { object: {} } });

    for (let i = 0; i < 3; i++) await post("invoice.paid");
    await waitFor(() => sick.received.length === 3, 5000, "three failed attempts");
    for (let i = 0; i < 10; i++) await post("invoice.paid");
    for (let i = 0; i < 5; i++) await post("charge.succeeded");

    // The healthy endpoint is not held up; the sick one gets nothing more while open.
    await waitFor(() => fine.received.length === 5, 5000, "the healthy endpoint's events");
    const waiting = await waitFor(async () => {
      const list = await server.api(
        "GET",
        `/v1/deliveries?endpoint=${sickEndpoint.id}&status=pending&limit=100`,
      );
      const untried = list.body.data.filter(
        (d: { attempt_count: number }) => d.attempt_count === 0,
      );
      return untried.length === 10 ? untried : undefined;
    }, 5000);
    expect(waiting.every((d: { next_attempt_at: number }) => d.next_attempt_at * 1000 >= now)).toBe(
      true,
    );
    expect(sick.received).toHaveLength(3);

    // Fixed: after the cooldown one probe goes first; when it succeeds the rest follow.
    down = false;
    now += 6_000;
    server.dispatcher.wake();
    await waitFor(() => sick.received.length === 13, 10_000, "the backlog to drain");
    const reopened = sick.received.slice(3);
    expect(reopened[1]!.at - reopened[0]!.at).toBeGreaterThanOrEqual(140);
  });

  it("holds an endpoint to its rate limit under a burst", async () => {
    server = await startTestServer();
    const r = await startReceiver();
    cleanups.push(r.close);
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: r.url,
      enabled_events: ["*"],
      rate_limit: 10,
    });
    expect(created.body.rate_limit).toBe(10);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        server.api("POST", "/v1/events", { type: "charge.succeeded", data: { object: {} } }),
      ),
    );
    await waitFor(() => r.received.length === 20, 10_000, "all 20 deliveries");
    const times = r.received.map((x) => x.at).sort((a, b) => a - b);
    // At most the rate plus the bucket's burst of one in any second (arrival times on a
    // loaded machine can bunch, so this is counted generously; the span below is the real check).
    for (const t of times) {
      expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(11);
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1800);
  });
});
