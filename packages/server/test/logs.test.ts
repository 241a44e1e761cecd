import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/logging/logger.ts";
import { type ObservedServer, startObservedServer } from "./support/observability.ts";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";

type Line = Record<string, unknown>;

/** A pino destination that keeps every line, parsed. */
function captureLines() {
  const lines: Line[] = [];
  const raw: string[] = [];
  return {
    lines,
    raw,
    write(chunk: string) {
      raw.push(chunk);
      if (chunk.startsWith("{")) lines.push(JSON.parse(chunk) as Line);
    },
  };
}

const RESOURCE = ["event_id", "delivery_id", "endpoint_id"];

describe("logs", () => {
  let server: ObservedServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
    server = undefined;
  });

  it("name the tenant, event, delivery and endpoint on every line about them", async () => {
    const capture = captureLines();
    server = await startObservedServer({
      env: { HOOKLINE_LOG_LEVEL: "debug" },
      logDestination: capture,
    });
    const ok = await startReceiver();
    const failing = await startReceiver(() => ({ status: 503 }));
    closers.push(ok.close, failing.close);
    const good = await server.api("POST", "/v1/webhook_endpoints", {
      url: ok.url,
      enabled_events: ["invoice.*"],
    });
    const bad = await server.api("POST", "/v1/webhook_endpoints", {
      url: failing.url,
      enabled_events: ["customer.*"],
    });
    const paid = await server.api("POST", "/v1/events", {
      type: "invoice.paid",
      data: { object: { id: "in_1" } },
    });
    const created = await server.api("POST", "/v1/events", {
      type: "customer.created",
      data: { object: { id: "cus_1" } },
    });
    const failed = await waitFor(() =>
      capture.lines.find((l) => String(l.msg).startsWith("attempt failed")),
    );
    const delivered = await waitFor(() => capture.lines.find((l) => l.msg === "attempt delivered"));
    const deliveries = await server.api("GET", `/v1/deliveries?event=${paid.body.id}`);
    const delivery = deliveries.body.data[0];
    await server.api("GET", `/v1/deliveries/${delivery.id}`);
    await server.api("GET", `/v1/deliveries?endpoint=${bad.body.id}`);
    await server.api("GET", "/v1/deliveries/dlv_unknown0000000000000000");

    const about = capture.lines.filter((l) => RESOURCE.some((field) => field in l));
    expect(about.length).toBeGreaterThan(8);
    for (const line of about)
      expect(line, JSON.stringify(line)).toHaveProperty("tenant", "tn_default");

    expect(delivered).toMatchObject({
      level: 20,
      event_id: paid.body.id,
      delivery_id: delivery.id,
      endpoint_id: good.body.id,
      tenant: "tn_default",
      status: 200,
    });
    expect(failed).toMatchObject({
      event_id: created.body.id,
      endpoint_id: bad.body.id,
      tenant: "tn_default",
      status: 503,
    });
    expect(failed.delivery_id).toMatch(/^dlv_/);
    const accepted = capture.lines.filter((l) => l.msg === "event accepted");
    expect(accepted).toEqual([
      expect.objectContaining({ event_id: paid.body.id, type: "invoice.paid", deliveries: 1 }),
      expect.objectContaining({ event_id: created.body.id, type: "customer.created" }),
    ]);

    const requests = capture.lines.filter((l) => l.msg === "request completed");
    const request = (method: string, url: string) =>
      requests.find((l) => l.method === method && l.url === url);
    expect(request("POST", "/v1/webhook_endpoints")).toMatchObject({
      endpoint_id: good.body.id,
      tenant: "tn_default",
      status_code: 200,
    });
    expect(request("POST", "/v1/events")).toMatchObject({ event_id: paid.body.id });
    expect(request("GET", `/v1/deliveries/${delivery.id}`)).toMatchObject({
      delivery_id: delivery.id,
      route: "/v1/deliveries/:id",
    });
    expect(request("GET", `/v1/deliveries?endpoint=${bad.body.id}`)).toMatchObject({
      endpoint_id: bad.body.id,
    });
    expect(request("GET", "/v1/deliveries/dlv_unknown0000000000000000")).toMatchObject({
      status_code: 404,
      delivery_id: "dlv_unknown0000000000000000",
    });
    for (const line of requests) {
      expect(line.reqId).toMatch(/^req_/);
      expect(typeof line.duration_ms).toBe("number");
    }
  });

  it("write only lines at or above HOOKLINE_LOG_LEVEL", async () => {
    const capture = captureLines();
    server = await startObservedServer({
      env: { HOOKLINE_LOG_LEVEL: "warn" },
      logDestination: capture,
    });
    const receiver = await startReceiver(() => ({ status: 410 }));
    closers.push(receiver.close);
    await server.api("POST", "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] });
    await server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    // A 410 disables the endpoint, which the dispatcher reports as a warning (the start may
    // warn too, about the encryption key it generated).
    const warning = await waitFor(() =>
      capture.lines.find((l) => l.level === 40 && l.endpoint_id !== undefined),
    );
    expect(warning.endpoint_id).toMatch(/^we_/);
    expect(capture.lines.every((l) => (l.level as number) >= 40)).toBe(true);
  });

  it("are pretty-printed for people when asked (as on a terminal), with the same fields", () => {
    const capture = captureLines();
    const log = createLogger({ level: "info", destination: capture, pretty: true });
    log.info({ event_id: "evt_123" }, "event accepted");
    const text = capture.raw.join("");
    expect(text).not.toMatch(/^\{/);
    expect(text).toContain("event accepted");
    expect(text).toContain("evt_123");
    expect(text).toContain("tn_default");
  });

  it("are JSON lines when not on a terminal, a tenant a line names winning over the default", () => {
    const capture = captureLines();
    const log = createLogger({ level: "info", destination: capture });
    log.info({ endpoint_id: "we_1", tenant: "tn_other" }, "one");
    log.child({ tenant: "tn_bound" }).info({ endpoint_id: "we_2" }, "two");
    log.info({ count: 3 }, "three");
    expect(capture.raw.join("").split("\n").filter(Boolean)).toHaveLength(3);
    expect(capture.lines.map((l) => l.tenant)).toEqual(["tn_other", "tn_bound", undefined]);
    expect(capture.raw[1]!.match(/"tenant"/g)).toHaveLength(1);
  });
});
