import type { FastifyInstance } from "fastify";
import type { Metrics } from "./metrics.ts";

/**
 * Counts API requests and those in flight. Register it before authentication, so refused
 * requests count too. Routes are labelled by their pattern (`/v1/events/:id`), never the URL,
 * and requests that match no route share `unmatched`, so callers cannot create series.
 */
export function countRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onRequest", async (request, reply) => {
    metrics.http.started();
    // `close` fires once the answer is sent or the client went away: the gauge never leaks.
    reply.raw.once("close", () =>
      metrics.http.finished(
        request.method,
        request.routeOptions.url ?? "unmatched",
        reply.raw.writableFinished ? reply.statusCode : 499,
      ),
    );
  });
}

/** `GET /metrics`: the Prometheus text format, no API key. */
export function metricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get(
    "/metrics",
    {
      schema: {
        description:
          "Prometheus metrics: events ingested, attempts and their latency, delivery outcomes, queue depth, the oldest due delivery, endpoint states, requests in flight. See docs/observability.md.",
        tags: ["operations"],
        response: {
          200: {
            description: "The Prometheus text exposition format.",
            content: { "text/plain; version=0.0.4": { schema: { type: "string" } } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
