import type { Context } from "hono";
import type { WebhookHandler } from "../handler.ts";

/**
 * The handler as a Hono route handler. Hono hands over the untouched web `Request`; if a
 * middleware already read the body (`c.req.json()`), the core answers a 500 that says so.
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
  return (c) => handler(c.req.raw);
}
