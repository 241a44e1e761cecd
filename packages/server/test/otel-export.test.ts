import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import { startOtlpReceiver } from "./support/otlp-receiver.ts";
import { startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// OpenTelemetry export end to end: a real server with OTEL_EXPORTER_OTLP_ENDPOINT aimed at an
// OTLP/HTTP receiver the test runs on 127.0.0.1, and a webhook receiver on 127.0.0.1.

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

const opened: { close(): Promise<void> }[] = [];
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

describe("OpenTelemetry spans (OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("exports the ingest as a child of the caller's span, and each attempt as a child of the ingest, with the ids the headers carried", async () => {
    const collector = await startOtlpReceiver();
    const ok = await startReceiver();
    const failing = await startReceiver(() => ({ status: 503 }));
    opened.push(collector, ok, failing);
    server = await startTestServer({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: "hookline-test",
      HOOKLINE_RETRY_SCHEDULE: "1h",
    });
    for (const receiver of [ok, failing]) {
      await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
      });
    }
    const event = await server.api(
      "POST",
      "/v1/events",
      { type: "invoice.paid", data: { object: { id: "in_1" } } },
      { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
    );
    expect(event.status).toBe(200);
    await waitFor(() => ok.received.length === 1 && failing.received.length === 1);
    const spans = await waitFor(
      () => (collector.spans.length >= 3 ? collector.spans : undefined),
      10_000,
    );

    const ingest = spans.find((s) => s.name === "ingest invoice.paid")!;
    expect(ingest).toMatchObject({
      traceId: TRACE,
      parentSpanId: CALLER_SPAN,
      kind: 2, // SERVER
      service: "hookline-test",
      attributes: { "hookline.event.id": event.body.id, "hookline.event.type": "invoice.paid" },
    });
    const attempts = spans.filter((s) => s.name === "POST");
    expect(attempts).toHaveLength(2);
    for (const [receiver, status] of [
      [ok, 200],
      [failing, 503],
    ] as const) {
      const sent = String(receiver.received[0]!.headers.traceparent);
      const span = attempts.find((s) => s.attributes["url.full"] === receiver.url)!;
      expect(sent).toBe(`00-${TRACE}-${span.spanId}-01`);
      expect(span).toMatchObject({
        traceId: TRACE,
        parentSpanId: ingest.spanId,
        kind: 3, // CLIENT
        attributes: {
          "http.request.method": "POST",
          "http.response.status_code": status,
          "hookline.event.id": event.body.id,
          "hookline.attempt": 1,
        },
      });
      expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
    }
    const failed = attempts.find((s) => s.attributes["http.response.status_code"] === 503)!;
    expect(failed.status.code).toBe(2); // ERROR
    expect(failed.attributes["error.type"]).toBe("http_status");
    expect(collector.contentTypes[0]).toMatch(/json/);
  });

  it("exports an event without a caller's trace as the root of its own", async () => {
    const collector = await startOtlpReceiver();
    const ok = await startReceiver();
    opened.push(collector, ok);
    server = await startTestServer({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/` });
    await server.api("POST", "/v1/webhook_endpoints", { url: ok.url, enabled_events: ["*"] });
    await server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    await waitFor(() => ok.received.length === 1);
    const spans = await waitFor(
      () => (collector.spans.length >= 2 ? collector.spans : undefined),
      10_000,
    );
    const ingest = spans.find((s) => s.name === "ingest invoice.paid")!;
    expect(ingest.parentSpanId ?? "").toBe("");
    expect(ingest.service).toBe("hookline");
    const attempt = spans.find((s) => s.name === "POST")!;
    expect(attempt).toMatchObject({ traceId: ingest.traceId, parentSpanId: ingest.spanId });
  });
});

describe("the OTLP settings", () => {
  const base = { port: "0", database: ":memory:" };

  it("appends v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and takes the traces endpoint as given", () => {
    expect(loadConfig(base, {}).otlpTracesUrl).toBeUndefined();
    expect(
      loadConfig(base, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).otlpTracesUrl,
    ).toBe("http://collector:4318/v1/traces");
    expect(
      loadConfig(base, {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://other:4318/custom",
      }).otlpTracesUrl,
    ).toBe("http://other:4318/custom");
  });

  it.each(["collector:4318", "grpc://collector:4317", "not a url"])(
    "refuses %s, naming the variable",
    (value) => {
      expect(() => loadConfig(base, { OTEL_EXPORTER_OTLP_ENDPOINT: value })).toThrow(
        /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/,
      );
    },
  );
});
