import type { WebhookHandler } from "../handler.ts";

/**
 * The handler as a Next.js App Router route handler (`app/…/route.ts`). Route handlers receive
 * the untouched web `Request`, so nothing parses the body first. Use the Node.js runtime with the
 * SQLite or PostgreSQL inbox.
 *
 * @example
 * ```ts
 * // app/api/webhooks/route.ts
 * import { nextWebhook } from "@hookline/webhooks/next";
 * import { handler } from "@/lib/webhooks";
 *
 * export const POST = nextWebhook(handler);
 * export const runtime = "nodejs";
 * ```
 */
export function nextWebhook(handler: WebhookHandler): (request: Request) => Promise<Response> {
  return (request) => handler(request);
}
