import type { FastifyInstance } from "fastify";
import { IdPrefix, isId } from "../../ids.ts";
import type { AppContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { errorResponses } from "../schemas/common.ts";
import { StatsQuery, StatsSchema } from "../schemas/stats.ts";

const MINUTE = 60_000;
const WINDOWS = { "1h": 60 * MINUTE, "24h": 24 * 60 * MINUTE } as const;

/** `GET /v1/stats`: what the dashboard's charts draw, one bucket per minute. */
export function statsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: StatsQuery }>(
    "/v1/stats",
    {
      schema: {
        description:
          "Events created, attempts ok and failed, and p95 attempt duration per minute over the last hour or day, for all endpoints or one.",
        querystring: StatsQuery,
        response: { 200: StatsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
      const window = request.query.window ?? "1h";
      const endpointId = request.query.endpoint;
      if (endpointId !== undefined) {
        const endpoint = isId(endpointId, IdPrefix.endpoint)
          ? await ctx.store.getEndpoint(tenant, endpointId)
          : undefined;
        if (endpoint === undefined) throw notFound("webhook_endpoint", endpointId, "endpoint");
      }
      // Whole minutes, the current one last, so buckets line up from one request to the next.
      const until = Math.floor(ctx.clock() / MINUTE) * MINUTE + MINUTE;
      const since = until - WINDOWS[window];
      const timeline = await ctx.store.timeline({
        tenantId: tenant,
        since,
        until,
        bucketMs: MINUTE,
        endpointId,
      });
      let events = 0;
      let ok = 0;
      let failed = 0;
      for (const b of timeline.buckets) {
        events += b.events;
        ok += b.attemptsOk;
        failed += b.attemptsFailed;
      }
      return {
        object: "stats" as const,
        window,
        endpoint: endpointId ?? null,
        bucket_seconds: MINUTE / 1000,
        since: since / 1000,
        until: until / 1000,
        totals: {
          events,
          attempts_ok: ok,
          attempts_failed: failed,
          success_rate:
            ok + failed === 0 ? null : Math.round((ok / (ok + failed)) * 10_000) / 10_000,
          p95_ms: timeline.p95Ms,
        },
        buckets: timeline.buckets.map((b) => ({
          start: b.start / 1000,
          events: b.events,
          attempts_ok: b.attemptsOk,
          attempts_failed: b.attemptsFailed,
          p95_ms: b.p95Ms,
        })),
      };
    },
  );
}
