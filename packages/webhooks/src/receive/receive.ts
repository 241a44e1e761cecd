import { WebhookVerificationError } from "../errors.ts";
import type { Event } from "../event.ts";
import type { HeaderInput } from "../headers.ts";
import { verifyBytes } from "../node/verify.ts";
import { type Answer, errorAnswer, received } from "./answers.ts";
import type { BackgroundRunner } from "./background.ts";
import type { Claim } from "./inbox/inbox.ts";
import type { ResolvedOptions } from "./resolve-options.ts";
import { runEvent } from "./run-event.ts";
import { readSequence } from "./sequence.ts";

/**
 * The handler's whole job on one request whose body is already read, in terms no runtime owns:
 * a method, headers (a fetch `Headers` or Node's `req.headers`) and the body's bytes in, an
 * `Answer` out. The web handler and the Node adapters are thin edges around it, so both answer
 * every request the same way.
 */
export type Receive = (
  method: string | undefined,
  headers: HeaderInput,
  body: Buffer,
) => Promise<Answer>;

export const METHOD_NOT_ALLOWED = errorAnswer(
  405,
  "invalid_request_error",
  "method_not_allowed",
  "webhooks are POSTed",
  { allow: "POST" },
);

// Inline: a failed run is claimable again at once, by the sender's retry. Built once, not per
// request.
const INLINE_RUN = { retryAfterMs: 0, final: false };

export function createReceiver(
  options: ResolvedOptions,
  background: BackgroundRunner | undefined,
): Receive {
  // A claim's token only has to differ from every other holder's, in this process and in any
  // other sharing the inbox: a random base per handler and a counter do that for a tenth of
  // randomUUID's 0.3 µs per request.
  const tokenBase = `${crypto.randomUUID()}:`;
  let claims = 0;
  return async (method, headers, body) => {
    if (method !== "POST") return METHOD_NOT_ALLOWED;
    let event: Event;
    let text: string;
    try {
      // node:crypto, synchronous: the main entry point already loads it (sign, verify), and
      // WebCrypto's per-request key import and promises cost the handler a sixth of its CPU
      // (bench/handler.ts --profile). verifyAsync stays the edge runtimes' verifier.
      ({ event, text } = verifyBytes(body, headers, options.secrets, {
        scheme: options.verify.scheme,
        toleranceSeconds: options.verify.toleranceSeconds,
        now: Math.floor(options.now() / 1000),
      }));
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      options.onError(error, { stage: "verify" });
      return errorAnswer(400, "invalid_request_error", error.code, error.message);
    }
    if (typeof event.id !== "string" || event.id === "") {
      return errorAnswer(400, "invalid_request_error", "invalid_payload", 'the event has no "id"');
    }
    if (options.handlerFor(event.type) === undefined) {
      options.onUnhandled(event);
      return received(200, { handled: false });
    }

    const token = `${tokenBase}${++claims}`;
    let claim: Claim;
    try {
      claim = await options.inbox.claim(
        { id: event.id, type: event.type, payload: text },
        { now: options.now(), leaseMs: options.leaseMs, token, durable: background !== undefined },
      );
    } catch (error) {
      options.onError(error, { stage: "inbox", event });
      return errorAnswer(500, "api_error", "inbox_unavailable", "could not record the event");
    }

    if (claim.status === "duplicate") return received(200, { duplicate: true });
    if (claim.status === "in_progress") {
      // Ack-first: the event is safely in the inbox already and will run from there.
      if (background) return received(202, { in_progress: true });
      const seconds = Math.max(1, Math.ceil((claim.retryAt - options.now()) / 1000));
      return errorAnswer(
        409,
        "api_error",
        "event_in_progress",
        "another delivery of this event is being handled; retry later",
        { "retry-after": String(seconds) },
      );
    }
    const held = { event, token, attempt: claim.attempt, sequence: readSequence(headers) };
    if (background) {
      background.start(held);
      return received(202);
    }
    const outcome = await runEvent(held, options, INLINE_RUN);
    if (outcome.ok) return received(200);
    return errorAnswer(500, "api_error", "handler_failed", "the handler failed; retry later");
  };
}
