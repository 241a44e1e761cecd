import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { HealthSchema, ReadinessSchema } from "../schemas/responses.ts";

/** Unauthenticated and cheap, for load balancers and orchestrators polling every second. */
export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    "/healthz",
    {
      schema: {
        description: "The process answers (liveness).",
        tags: ["operations"],
        response: { 200: HealthSchema },
      },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        description:
          "Readiness: the database answers, its schema is at the latest migration, and the dispatcher runs; 503 otherwise.",
        tags: ["operations"],
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (_request, reply) => {
      const database = await ctx.store.ping().catch(() => false);
      // A PRAGMA read: as cheap as the ping. A schema behind the code means a failed migration.
      const schema = database ? await ctx.store.schemaVersion().catch(() => undefined) : undefined;
      const migrations = schema !== undefined && schema.applied === schema.latest;
      const dispatcher = ctx.dispatcherRunning();
      const ready = database && migrations && dispatcher;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? "ok" : "unavailable", database, migrations, dispatcher });
    },
  );
}
