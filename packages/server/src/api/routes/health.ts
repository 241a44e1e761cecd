import type { FastifyInstance } from "fastify";
import { storeReadiness } from "../../store/readiness.ts";
import type { AppContext } from "../context.ts";
import { HealthSchema, ReadinessSchema } from "../schemas/responses.ts";

/** Unauthenticated and cheap, for load balancers and orchestrators polling every second. */
export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const storeReady = storeReadiness(ctx.store, ctx.storeAvailability);
  app.get(
    "/healthz",
    {
      schema: {
        description:
          "The process answers (liveness). Stays 200 while the database is away: restarting a process that waits for its database helps nothing.",
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
          "Readiness: the database answers and takes writes, its schema is at the latest migration, and the dispatcher runs; 503 otherwise. The store is checked at most once a second.",
        tags: ["operations"],
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (_request, reply) => {
      const { database, migrations, store } = await storeReady();
      const dispatcher = ctx.dispatcherRunning();
      const ready = database && migrations && store === "up" && dispatcher;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? "ok" : "unavailable", database, migrations, store, dispatcher });
    },
  );
}
