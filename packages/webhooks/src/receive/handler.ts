import { WebhookVerificationError } from "../errors.ts";
import type { Event } from "../event.ts";
import type { PaymentEvents } from "../events/catalog.ts";
import { verifyAsync } from "../web/verify-async.ts";
import { type BackgroundRunner, createBackgroundRunner } from "./background.ts";
import type { Claim } from "./inbox/inbox.ts";
import type { EventMap, WebhookHandlerOptions } from "./options.ts";
import { type ResolvedOptions, resolveOptions } from "./resolve-options.ts";
import { errorResponse, received } from "./responses.ts";
import { runEvent } from "./run-event.ts";

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
  const handle = (request: Request) => handleRequest(request, resolved, background);
  return Object.assign(handle, {
    drain: async () => background?.drain(),
    runDue: async () => background?.runDue() ?? 0,
    close: async () => background?.close(),
  });
}

async function handleRequest(
  request: Request,
  options: ResolvedOptions,
  background: BackgroundRunner | undefined,
): Promise<Response> {
  if (request.method !== "POST") {
    return errorResponse(
      405,
      "invalid_request_error",
      "method_not_allowed",
      "webhooks are POSTed",
      {
        allow: "POST",
      },
    );
  }
  if (request.bodyUsed) {
    return errorResponse(500, "api_error", "body_already_read", BODY_ALREADY_READ);
  }
  const body = new Uint8Array(await request.arrayBuffer());
  let event: Event;
  try {
    event = await verifyAsync(body, request.headers, options.secrets, {
      ...options.verify,
      now: Math.floor(options.now() / 1000),
    });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    options.onError(error, { stage: "verify" });
    return errorResponse(400, "invalid_request_error", error.code, error.message);
  }
  if (typeof event.id !== "string" || event.id === "") {
    return errorResponse(400, "invalid_request_error", "invalid_payload", 'the event has no "id"');
  }
  if (options.handlerFor(event.type) === undefined) {
    options.onUnhandled(event);
    return received(200, { handled: false });
  }

  const token = crypto.randomUUID();
  let claim: Claim;
  try {
    const payload = new TextDecoder().decode(body);
    claim = await options.inbox.claim(
      { id: event.id, type: event.type, payload },
      { now: options.now(), leaseMs: options.leaseMs, token },
    );
  } catch (error) {
    options.onError(error, { stage: "inbox", event });
    return errorResponse(500, "api_error", "inbox_unavailable", "could not record the event");
  }

  if (claim.status === "duplicate") return received(200, { duplicate: true });
  if (claim.status === "in_progress") {
    // Ack-first: the event is safely in the inbox already and will run from there.
    if (background) return received(202, { in_progress: true });
    const seconds = Math.max(1, Math.ceil((claim.retryAt - options.now()) / 1000));
    return errorResponse(
      409,
      "api_error",
      "event_in_progress",
      "another delivery of this event is being handled; retry later",
      { "retry-after": String(seconds) },
    );
  }
  const held = { event, token, attempt: claim.attempt };
  if (background) {
    background.start(held);
    return received(202);
  }
  // Inline: a failed run is claimable again at once, by the sender's retry.
  const outcome = await runEvent(held, options, { retryAt: (now) => now, final: false });
  if (outcome.ok) return received(200);
  return errorResponse(500, "api_error", "handler_failed", "the handler failed; retry later");
}

const BODY_ALREADY_READ =
  "the request body was read before the webhook handler (a JSON body parser, or a call to " +
  "request.json()); the signature covers the exact bytes, so mount the webhook route before any " +
  "body parsing, or skip the parser for it";
