import type { RequestHandler } from "express";
import type { WebhookHandler } from "../handler.ts";
import { toNodeListener } from "./node.ts";

/**
 * The handler as an Express route handler (Express 4 and 5). It reads the raw body itself, so
 * register it before `app.use(express.json())`; if a JSON parser got there first it answers a
 * 500 whose message says so (a `express.raw()` body is used as is).
 *
 * @example
 * ```ts
 * import express from "express";
 * import { expressWebhook } from "@hookline/webhooks/express";
 *
 * const app = express();
 * app.post("/webhooks", expressWebhook(handler));
 * app.use(express.json()); // the rest of the app
 * ```
 */
export function expressWebhook(handler: WebhookHandler): RequestHandler {
  const listener = toNodeListener(handler);
  return (req, res, next) => {
    listener(req, res).catch(next);
  };
}
