import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { answerRequest, type WebhookHandler } from "../handler.ts";
import { rawEntryOf } from "../raw-entry.ts";
import { toResponse } from "../web-response.ts";

/**
 * The handler as a Hono route handler. Hono hands over the untouched web `Request`; if a
 * middleware already read the body (`c.req.json()`), the core answers a 500 that says so.
 * Served by `@hono/node-server`, a handler from `createWebhookHandler` reads the signature
 * headers from Node's own `req.headers` (`c.env.incoming`) instead of through the `Request`'s
 * `Headers`, which that server builds on first use.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { honoWebhook } from "@hookline/webhooks/hono";
 *
 * const app = new Hono();
 * app.post("/webhooks", honoWebhook(handler));
 * ```
 */
export function honoWebhook(handler: WebhookHandler): (c: Context) => Promise<Response> {
  const receive = rawEntryOf(handler);
  if (receive === undefined) return (c) => handler(c.req.raw);
  return async (c) => {
    const request = c.req.raw;
    const headers = nodeHeaders(c.env, request) ?? request.headers;
    return toResponse(await answerRequest(request, receive, headers));
  };
}

/**
 * Node's parsed headers of this request, when `@hono/node-server` serves it: its `env` carries
 * the `IncomingMessage` the `Request` was made from. Not when the methods differ: a middleware
 * substituted another `Request`, which keeps its own headers.
 */
function nodeHeaders(env: unknown, request: Request): IncomingMessage["headers"] | undefined {
  const incoming = (env as { incoming?: Partial<IncomingMessage> } | undefined)?.incoming;
  const headers = incoming?.headers;
  if (typeof headers !== "object" || headers === null || incoming?.method !== request.method) {
    return undefined;
  }
  return headers;
}
