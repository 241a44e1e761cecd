import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { createLiveHub, type LiveMessage } from "../../live/hub.ts";
import type { AppContext } from "../context.ts";
import { errorResponses, NoParams } from "../schemas/common.ts";

/** Comments every 15 s keep proxies and load balancers from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/**
 * A client that stops reading is cut off past this much unsent data instead of growing the
 * server's memory; it reconnects and reloads from the API.
 */
const MAX_BUFFERED_BYTES = 1 << 20;

const frame = (m: LiveMessage) => `event: ${m.type}\ndata: ${JSON.stringify(m.data)}\n\n`;

/**
 * `GET /v1/stream`: server-sent events (text/event-stream) of new events and attempt outcomes.
 * Authenticated like every /v1 route, so browsers read it with fetch (EventSource cannot send
 * an Authorization header).
 */
export function streamRoutes(app: FastifyInstance, ctx: AppContext): void {
  const hub = ctx.live ?? createLiveHub();
  const open = new Set<ServerResponse>();
  // Open streams never end on their own: end them so that closing the server does not wait.
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
  });

  app.get(
    "/v1/stream",
    {
      schema: {
        description:
          "Server-sent events: `event.created` for each new event and `delivery.attempted` for each recorded attempt, as they happen. Nothing is replayed: reload lists from the API after (re)connecting.",
        querystring: NoParams,
        response: {
          200: {
            description: "A text/event-stream that stays open.",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
        "request-id": request.id,
      });
      res.write("retry: 2000\n: connected\n\n");
      open.add(res);
      const unsubscribe = hub.subscribe(request.tenantId, (message) => {
        if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
        else res.write(frame(message));
      });
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      // A portal link's stream ends with the link: authentication happened once, at connect,
      // and an expired link must not keep watching. The browser reconnects and is refused.
      const principal = request.principal;
      const expiry =
        principal.kind === "portal"
          ? setTimeout(() => res.end(), Math.max(0, principal.expiresAt - ctx.clock()))
          : undefined;
      expiry?.unref();
      res.on("close", () => {
        clearTimeout(expiry);
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(res);
      });
    },
  );
}
