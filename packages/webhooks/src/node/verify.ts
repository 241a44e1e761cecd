import { isUtf8 } from "node:buffer";
import { createHmac, verify as verifySignature } from "node:crypto";
import type { Event } from "../event.ts";
import type { HeaderInput } from "../headers.ts";
import type { VerifyOptions } from "../options.ts";
import { assertRawPayload, notUtf8, parseEvent, type RawPayload } from "../payload.ts";
import {
  noMatchingSignature,
  noUsableSecret,
  readSignedRequest,
  type SignedRequest,
} from "../request.ts";
import { constantTimeEqual } from "./compare.ts";
import { type NodeKey, nodeKeys } from "./keys.ts";

/**
 * Verifies a webhook request and returns its event. Synchronous, on node:crypto.
 *
 * Pass the raw body exactly as received (a string or bytes, never a parsed object), the request
 * headers, and one secret or several (during a rotation, or test and live). Throws
 * `WebhookVerificationError` with a stable `code` when the request must not be trusted.
 *
 * @example
 * ```ts
 * import { verify } from "@hookline/webhooks";
 *
 * app.post("/webhooks", express.raw({ type: "application/json" }), (req, res) => {
 *   const event = verify(req.body, req.headers, process.env.WEBHOOK_SECRET!);
 *   console.log(event.type, event.id);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verify(
  payload: RawPayload,
  headers: HeaderInput,
  secrets: string | readonly string[],
  options?: VerifyOptions,
): Event {
  assertRawPayload(payload);
  if (typeof payload !== "string")
    return verifyBytes(toBuffer(payload), headers, secrets, options).event;
  const request = readSignedRequest(headers, options);
  if (!signatureMatches(request, payload, nodeKeys(secrets))) throw noMatchingSignature(request);
  return parseEvent(payload);
}

/**
 * `verify` for a body in bytes, returning its text as well: the webhook handler keeps the text
 * in the inbox, and decoding once serves both.
 */
export function verifyBytes(
  body: Buffer,
  headers: HeaderInput,
  secrets: string | readonly string[],
  options?: VerifyOptions,
): { event: Event; text: string } {
  const request = readSignedRequest(headers, options);
  if (!signatureMatches(request, body, nodeKeys(secrets))) throw noMatchingSignature(request);
  if (!isUtf8(body)) throw notUtf8();
  const text = body.toString("utf8");
  return { event: parseEvent(text), text };
}

/**
 * The signature check alone: true when any signature in `request` was made over
 * `signedPrefix + body` by any of `keys`. The body is hashed as given, never copied or re-encoded.
 */
export function signatureMatches(
  request: SignedRequest,
  body: string | Buffer,
  keys: readonly NodeKey[],
): boolean {
  const encoding = request.scheme === "stripe" ? "hex" : "base64";
  let usable = false;
  for (const key of keys) {
    if (key.kind === "hmac") {
      const secret = request.scheme === "stripe" ? key.stripe : key.standard;
      if (secret === undefined) continue;
      usable = true;
      if (request.hmac.length === 0) continue;
      const digest = createHmac("sha256", secret)
        .update(request.signedPrefix)
        .update(body)
        .digest(encoding);
      for (const signature of request.hmac) {
        // The parser kept only canonical lowercase hex / padded base64 of 32 bytes, so equal
        // bytes means equal text.
        if (constantTimeEqual(digest, signature)) return true;
      }
    } else if (key.kind === "ed25519-public" && request.scheme === "standard") {
      usable = true;
      if (request.ed25519.length === 0) continue;
      const content = Buffer.concat([Buffer.from(request.signedPrefix), toBuffer(body)]);
      for (const signature of request.ed25519) {
        if (verifySignature(null, content, key.publicKey, Buffer.from(signature, "base64"))) {
          return true;
        }
      }
    }
  }
  if (!usable) {
    throw noUsableSecret(
      request.scheme,
      keys.some((key) => key.kind === "ed25519-secret"),
    );
  }
  return false;
}

export function toBuffer(bytes: Uint8Array | ArrayBuffer | string): Buffer {
  if (typeof bytes === "string") return Buffer.from(bytes, "utf8");
  if (bytes instanceof ArrayBuffer) return Buffer.from(bytes);
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
