import { afterEach, describe, expect, it } from "vitest";
import { MAX_TYPE_FAMILIES, typeFamilies } from "../src/metrics/type-family.ts";
import { type ObservedServer, startObservedServer } from "./support/observability.ts";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";

const sum = (series: Map<string, number>, prefix: string) =>
  [...series].filter(([key]) => key.startsWith(prefix)).reduce((total, [, v]) => total + v, 0);

describe("GET /metrics", () => {
  let server: ObservedServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
    server = undefined;
  });

  it("counts events by type family, attempts by result, delivery outcomes and attempt latency", async () => {
    server = await startObservedServer();
    const ok = await startReceiver();
    const failing = await startReceiver(() => ({ status: 500 }));
    closers.push(ok.close, failing.close);
    await server.api("POST", "/v1/webhook_endpoints", { url: ok.url, enabled_events: ["*"] });
    await server.api("POST", "/v1/webhook_endpoints", {
      url: failing.url,
      enabled_events: ["customer.*"],
    });
    for (const type of ["invoice.paid", "invoice.payment_failed", "customer.created"]) {
      const sent = await server.api("POST", "/v1/events", { type, data: { object: { id: "x" } } });
      expect(sent.status).toBe(200);
    }
    const s = server;
    const series = await waitFor(async () => {
      const m = await s.metrics();
      return sum(m, "hookline_attempt_duration_seconds_count") === 4 ? m : undefined;
    });
    expect(series.get('hookline_events_ingested_total{family="invoice"}')).toBe(2);
    expect(series.get('hookline_events_ingested_total{family="customer"}')).toBe(1);
    expect(series.get('hookline_attempts_total{result="delivered"}')).toBe(3);
    expect(series.get('hookline_attempts_total{result="http_status"}')).toBe(1);
    expect(series.get('hookline_deliveries_total{outcome="succeeded"}')).toBe(3);
    expect(series.get('hookline_deliveries_total{outcome="retry_scheduled"}')).toBe(1);
    expect(series.get('hookline_deliveries_total{outcome="failed"}')).toBe(0);
    expect(
      series.get('hookline_attempt_duration_seconds_bucket{le="+Inf",result="delivered"}'),
    ).toBe(3);
    expect(series.get("hookline_attempts_in_flight")).toBe(0);
    expect(series.has("process_cpu_seconds_total")).toBe(true);
    // Once its outcome is recorded, the failed delivery waits for its retry.
    const recorded = await waitFor(async () => {
      const m = await s.metrics();
      return m.get('hookline_deliveries_queued{state="scheduled"}') === 1 ? m : undefined;
    });
    expect(recorded.get('hookline_deliveries_queued{state="due"}')).toBe(0);
    expect(recorded.get('hookline_endpoints{state="healthy"}')).toBe(2);
  });

  it("reports due deliveries and how long the oldest has waited while nothing claims them", async () => {
    let now = Date.UTC(2030, 0, 1);
    server = await startObservedServer({ clock: () => now });
    const receiver = await startReceiver();
    closers.push(receiver.close);
    await server.api("POST", "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] });
    await server.dispatcher.stop(1000);
    for (let i = 0; i < 3; i++) {
      await server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: { i } } });
      now += 10_000;
    }
    now += 60_000;
    const series = await server.metrics();
    expect(series.get('hookline_deliveries_queued{state="due"}')).toBe(3);
    expect(series.get('hookline_deliveries_queued{state="in_flight"}')).toBe(0);
    expect(series.get("hookline_oldest_due_delivery_age_seconds")).toBe(90);
    expect(receiver.received).toHaveLength(0);
    // …and the same stopped dispatcher makes the node unready.
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: "unavailable",
      database: true,
      migrations: true,
      store: "up",
      dispatcher: false,
    });
    // Stopped once already: close the rest by hand.
    await server.app.close();
    await server.store.close();
    server = undefined;
  });

  it("shows attempts and API requests in flight while they are", async () => {
    server = await startObservedServer();
    const hanging = await startReceiver(() => "hang");
    closers.push(hanging.close);
    await server.api("POST", "/v1/webhook_endpoints", { url: hanging.url, enabled_events: ["*"] });
    await server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    const s = server;
    const series = await waitFor(async () => {
      const m = await s.metrics();
      return m.get("hookline_attempts_in_flight") === 1 ? m : undefined;
    });
    // The scrape itself is the API request in flight.
    expect(series.get("hookline_http_requests_in_flight")).toBe(1);
    expect(series.get('hookline_deliveries_queued{state="in_flight"}')).toBe(1);
  });

  it("needs no API key, and counts requests refused for want of one", async () => {
    server = await startObservedServer();
    const refused = await fetch(`${server.url}/v1/events`);
    expect(refused.status).toBe(401);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const series = await server.metrics();
    expect(
      series.get('hookline_http_requests_total{method="GET",route="/v1/events",status="4xx"}'),
    ).toBe(1);
  });

  it("keeps the number of series bounded with 1,000 endpoints and hundreds of event types", async () => {
    server = await startObservedServer();
    const s = server;
    await s.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/0",
      enabled_events: ["never.sent"],
    });
    await s.api("POST", "/v1/events", { type: "family0.created", data: { object: {} } });
    const before = await s.metrics();

    for (let batch = 1; batch < 1000; batch += 50) {
      const creates = [];
      for (let i = batch; i < Math.min(batch + 50, 1000); i++) {
        creates.push(
          s.api("POST", "/v1/webhook_endpoints", {
            url: `https://example.com/${i}`,
            enabled_events: ["never.sent"],
          }),
        );
      }
      for (const created of await Promise.all(creates)) expect(created.status).toBe(200);
    }
    for (let i = 1; i < 300; i++) {
      const sent = await s.api("POST", "/v1/events", {
        type: `family${i}.created`,
        data: { object: {} },
      });
      expect(sent.status).toBe(200);
    }
    const response = await fetch(`${s.url}/metrics`);
    const text = await response.text();
    const after = await s.metrics();

    expect(after.get('hookline_endpoints{state="healthy"}')).toBe(1000);
    expect(text).not.toMatch(/we_|evt_|dlv_/);
    const families = [...after.keys()].filter((k) =>
      k.startsWith("hookline_events_ingested_total"),
    );
    expect(families).toHaveLength(MAX_TYPE_FAMILIES + 1);
    expect(sum(after, "hookline_events_ingested_total")).toBe(300);
    expect(after.get('hookline_events_ingested_total{family="other"}')).toBe(
      300 - MAX_TYPE_FAMILIES,
    );
    // Growth is the families up to the cap and nothing per endpoint.
    const ours = (m: Map<string, number>) => [...m.keys()].filter((k) => k.startsWith("hookline_"));
    expect(ours(after).length - ours(before).length).toBeLessThanOrEqual(MAX_TYPE_FAMILIES + 2);
    expect(after.size).toBeLessThan(400);
  });
});

describe("event type families", () => {
  it("are the part before the first dot, with later families past the cap sharing 'other'", () => {
    const family = typeFamilies(2);
    expect(family("invoice.paid")).toBe("invoice");
    expect(family("customer.subscription.created")).toBe("customer");
    expect(family("ping")).toBe("other");
    expect(family("invoice.payment_failed")).toBe("invoice");
  });
});
