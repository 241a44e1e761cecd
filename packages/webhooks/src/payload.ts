import { WebhookVerificationError } from "./errors.ts";
import type { Event } from "./event.ts";

/** What a verifier accepts as the body: the exact bytes received, or their text. */
export type RawPayload = string | Uint8Array | ArrayBuffer;

/** Refuses anything but raw bytes or text, explaining the usual mistake. */
export function assertRawPayload(payload: unknown): asserts payload is RawPayload {
  if (typeof payload === "string" || payload instanceof Uint8Array) return;
  if (payload instanceof ArrayBuffer) return;
  const what = payload === null ? "null" : Array.isArray(payload) ? "an array" : typeof payload;
  const hint =
    typeof payload === "object" && payload !== null
      ? "the body was already parsed (express.json(), bodyParser, a framework's JSON parsing): " +
        "pass the raw request body, e.g. express.raw({ type: 'application/json' }) or await request.text()"
      : "pass the raw request body as a string or bytes";
  throw new WebhookVerificationError("invalid_payload", `payload is ${what}: ${hint}`);
}

/** Judges a body whose signature already matched: it must be a JSON object with a string `type`. */
export function parseEvent(text: string): Event {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WebhookVerificationError(
      "invalid_payload",
      "the signature is valid but the body is not JSON",
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WebhookVerificationError(
      "invalid_payload",
      "the signature is valid but the body is not a JSON object",
    );
  }
  if (typeof (value as { type?: unknown }).type !== "string") {
    throw new WebhookVerificationError(
      "invalid_payload",
      'the signature is valid but the body has no string "type": not an event',
    );
  }
  return value as Event;
}

export function notUtf8(): WebhookVerificationError {
  return new WebhookVerificationError(
    "invalid_payload",
    "the signature is valid but the body is not UTF-8 text",
  );
}
