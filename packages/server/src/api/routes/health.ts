import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";

/** Unauthenticated and cheap, for load balancers and orchestrators polling every second. */
export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get("/healthz", { schema: { description: "The process answers." } }, async () => ({
    status: "ok",
  }));

  app.get(
    "/readyz",
    { schema: { description: "The database answers and the dispatcher runs." } },
    async (_request, reply) => {
      const database = await ctx.store.ping().catch(() => false);
      const dispatcher = ctx.dispatcherRunning();
      const ready = database && dispatcher;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? "ok" : "unavailable", database, dispatcher });
    },
  );
}
