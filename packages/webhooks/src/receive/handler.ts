import type { PaymentEvents } from "../events/catalog.ts";
import type { HeaderInput } from "../headers.ts";
import { type Answer, errorAnswer } from "./answers.ts";
import { createBackgroundRunner } from "./background.ts";
import type { EventMap, WebhookHandlerOptions } from "./options.ts";
import { setRawEntry } from "./raw-entry.ts";
import { createReceiver, METHOD_NOT_ALLOWED, type Receive } from "./receive.ts";
import { resolveOptions } from "./resolve-options.ts";
import { toResponse } from "./web-response.ts";

/** A web-standard request handler, plus what ack-first needs to shut down cleanly. */
export interface WebhookHandler {
  (request: Request): Promise<Response>;
  /** Resolves when no handler runs in the background any more (ack-first). */
  drain(): Promise<void>;
  /** Runs the ack-first retries and expired leases that are due now; resolves to how many. */
  runDue(): Promise<number>;
  /** Stops ack-first's timers. Does not close the inbox. */
  close(): Promise<void>;
}

/**
 * The same, typed with the application's own event types as well.
 *
 * @example
 * ```ts
 * type Events = PaymentEvents & { "order.shipped": { id: string; tracking: string } };
 * const handler = createWebhookHandler<Events>({ secrets, on: { "order.shipped": ship } });
 * ```
 */
export function createWebhookHandler<TEvents extends EventMap = never>(
  options: [TEvents] extends [never] ? never : WebhookHandlerOptions<TEvents>,
): WebhookHandler;
/**
 * Creates the webhook endpoint: verifies the raw body, claims the event in the inbox so each
 * event runs once, runs the handler for its type, and answers so that the sender retries
 * exactly when it should: 2xx handled (or a duplicate, or a type without handler), 400 refused
 * (bad signature), 409 another delivery of the same event is running, 500 the handler failed.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from "@hookline/webhooks";
 *
 * const handler = createWebhookHandler({
 *   secrets: process.env.WEBHOOK_SECRET!,
 *   on: {
 *     "invoice.payment_failed": async (event) => {
 *       await emailCustomer(event.data.object.customer);
 *     },
 *   },
 * });
 * // Any fetch-style runtime: Bun.serve({ fetch: handler }), Deno.serve(handler), hono…
 * ```
 */
export function createWebhookHandler(options: WebhookHandlerOptions<PaymentEvents>): WebhookHandler;
// Overloads rather than a defaulted type parameter: a generic call with nothing to infer TEvents
// from leaves wrapped handlers (the stale guard) without their event type. The generic overload
// only applies with an explicit TEvents; without one the payment overload reports a mistyped
// event type at its key.
export function createWebhookHandler<TEvents extends EventMap>(
  options: WebhookHandlerOptions<TEvents>,
): WebhookHandler {
  const resolved = resolveOptions(options);
  const background = resolved.mode === "ack-first" ? createBackgroundRunner(resolved) : undefined;
  const receive = createReceiver(resolved, background);
  const handle = async (request: Request) => toResponse(await answerRequest(request, receive));
  const handler = Object.assign(handle, {
    drain: async () => background?.drain(),
    runDue: async () => background?.runDue() ?? 0,
    close: async () => background?.close(),
  });
  setRawEntry(handler, receive);
  return handler;
}

/**
 * The web edge: a `Request` in, an `Answer` out. `headers` may be another view of the same
 * request's headers (Node's `req.headers` behind Hono's node-server) when reading them through
 * `request.headers` would build objects the answer does not need.
 */
export async function answerRequest(
  request: Request,
  receive: Receive,
  headers: HeaderInput = request.headers,
): Promise<Answer> {
  if (request.method !== "POST") return METHOD_NOT_ALLOWED;
  if (request.bodyUsed) {
    return errorAnswer(500, "api_error", "body_already_read", BODY_ALREADY_READ);
  }
  return receive(request.method, headers, Buffer.from(await request.arrayBuffer()));
}

const BODY_ALREADY_READ =
  "the request body was read before the webhook handler (a JSON body parser, or a call to " +
  "request.json()); the signature covers the exact bytes, so mount the webhook route before any " +
  "body parsing, or skip the parser for it";
