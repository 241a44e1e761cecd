// An OTLP/HTTP trace receiver on 127.0.0.1, as a collector is: it takes the JSON the
// OpenTelemetry exporter posts to /v1/traces and keeps the spans, flattened.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code?: number; message?: string };
  /** The attributes as plain values. */
  attributes: Record<string, unknown>;
  /** The resource's `service.name`. */
  service: unknown;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
type OtlpAttributes = { key: string; value: OtlpValue }[];

const plain = (attributes: OtlpAttributes = []) =>
  Object.fromEntries(
    attributes.map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue === undefined
          ? (value.boolValue ?? value.doubleValue)
          : Number(value.intValue)),
    ]),
  );

export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.statusCode = 404;
        res.end();
        return;
      }
      contentTypes.push(String(req.headers["content-type"]));
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: {
          resource: { attributes: OtlpAttributes };
          scopeSpans: {
            spans: (Omit<ReceivedSpan, "attributes" | "service"> & {
              attributes: OtlpAttributes;
            })[];
          }[];
        }[];
      };
      for (const resource of body.resourceSpans) {
        const service = plain(resource.resource.attributes)["service.name"];
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({ ...span, attributes: plain(span.attributes), service });
          }
        }
      }
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** For OTEL_EXPORTER_OTLP_ENDPOINT: `/v1/traces` is appended. */
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
