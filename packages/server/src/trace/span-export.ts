// Spans for OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT): one for each event's ingest and one for
// each attempt, with the ids the W3C traceparent headers already carry, so the spans a collector
// gets line up with what the ingest request's caller and the receivers saw. Made and exported
// with the OpenTelemetry SDK (a tracer provider, a batch processor, the OTLP/HTTP exporter).
import {
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type IdGenerator, TracerProvider } from "@opentelemetry/sdk-trace";
import type { DispatchObserver } from "../dispatch/observer.ts";
import type { NewEvent } from "../ingest/create-event.ts";
import type { EventRow } from "../store/types.ts";

/** What ingest tells of each event it accepted (ingest/create-event.ts). */
export interface IngestSpans {
  /** `startedMs`: when the event's ingest began; it ends now. */
  ingested(input: Pick<NewEvent, "trace" | "requestId">, event: EventRow, startedMs: number): void;
}

export interface SpanExport extends IngestSpans {
  /** Attempt spans, as attempts finish. */
  observer: DispatchObserver;
  /** Sends what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

interface Ids {
  trace: string;
  parent: string;
  sampled: boolean;
}

/** The ids of a `traceparent` (already validated where it was made or received). */
function idsOf(traceParent: string): Ids {
  return {
    trace: traceParent.slice(3, 35),
    parent: traceParent.slice(36, 52),
    sampled: (Number.parseInt(traceParent.slice(53, 55), 16) & 1) === 1,
  };
}

export function createSpanExport(options: {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  url: string;
  serviceName: string;
  /** How long spans wait in the batch before they are sent. Default 1 s. */
  delayMs?: number;
}): SpanExport {
  // The SDK makes the ids of the spans it starts; these spans already have theirs (sent in
  // traceparent headers), so its id generator hands over the ids set just before each start.
  let next: { trace: string; span: string } | undefined;
  const ids: IdGenerator = {
    generateTraceId: () => next!.trace,
    generateSpanId: () => next!.span,
  };
  const provider = new TracerProvider({
    idGenerator: ids,
    resource: resourceFromAttributes({ "service.name": options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: options.url }),
        scheduledDelayMillis: options.delayMs ?? 1000,
      }),
    ],
  });
  const tracer = provider.getTracer("hookline");

  /** Starts a span with the given ids, as a child of `parent` (or a root without one). */
  function start(
    name: string,
    own: { trace: string; span: string },
    parent: Ids | undefined,
    attributes: { kind: SpanKind; startTime: number; attributes: Record<string, string | number> },
  ): Span {
    const parentContext =
      parent === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.trace,
            spanId: parent.parent,
            traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          });
    next = own;
    try {
      return tracer.startSpan(name, attributes, parentContext);
    } finally {
      next = undefined;
    }
  }

  return {
    ingested(input, event, startedMs) {
      if (event.traceParent === null) return;
      const own = idsOf(event.traceParent);
      const parent = input.trace === undefined ? undefined : idsOf(input.trace.parent);
      const span = start(`ingest ${event.type}`, { trace: own.trace, span: own.parent }, parent, {
        kind: input.requestId === null ? SpanKind.INTERNAL : SpanKind.SERVER,
        startTime: startedMs,
        attributes: {
          "hookline.event.id": event.id,
          "hookline.event.type": event.type,
          "hookline.tenant.id": event.tenantId,
        },
      });
      span.end();
    },
    observer: {
      attemptStarted() {},
      attemptFinished(delivery, outcome) {
        const sent = outcome.requestHeaders.traceparent;
        if (sent === undefined || delivery.traceParent == null) return;
        const own = idsOf(sent);
        const endMs = Date.now();
        const span = start(
          "POST",
          { trace: own.trace, span: own.parent },
          idsOf(delivery.traceParent),
          {
            kind: SpanKind.CLIENT,
            startTime: endMs - outcome.durationMs,
            attributes: {
              "http.request.method": "POST",
              "url.full": delivery.url,
              ...(outcome.status === undefined
                ? {}
                : { "http.response.status_code": outcome.status }),
              "hookline.event.id": delivery.eventId,
              "hookline.delivery.id": delivery.id,
              "hookline.endpoint.id": delivery.endpointId,
              "hookline.attempt": delivery.attemptCount + 1,
            },
          },
        );
        if (outcome.kind === "failed") {
          span.setAttribute("error.type", outcome.error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
        }
        span.end(endMs);
      },
    },
    shutdown: () => provider.shutdown(),
  };
}
