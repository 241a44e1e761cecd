// WebCrypto only: nothing on this path may import a `node:` module or use `Buffer`, so it runs
// on edge runtimes (Cloudflare Workers, Vercel Edge, Deno, Bun) as well as on Node.
import { decodeBase64, decodeLowerHex, utf8 } from "../encoding.ts";
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
import { type ParsedSecret, parseSecrets } from "../secrets.ts";

/**
 * Verifies a webhook request with WebCrypto and resolves to its event; the same checks and
 * errors as `verify`, for runtimes without node:crypto.
 *
 * @example
 * ```ts
 * import { verifyAsync } from "@hookline/webhooks/web";
 *
 * export default {
 *   async fetch(request: Request, env: { WEBHOOK_SECRET: string }) {
 *     const event = await verifyAsync(await request.text(), request.headers, env.WEBHOOK_SECRET);
 *     return new Response(null, { status: 204 });
 *   },
 * };
 * ```
 */
export async function verifyAsync(
  payload: RawPayload,
  headers: HeaderInput,
  secrets: string | readonly string[],
  options?: VerifyOptions,
): Promise<Event> {
  assertRawPayload(payload);
  const request = readSignedRequest(headers, options);
  const parsed = parseSecrets(secrets);
  const bytes = typeof payload === "string" ? utf8.encode(payload) : new Uint8Array(payload);
  const prefix = utf8.encode(request.signedPrefix);
  const content = new Uint8Array(prefix.length + bytes.length);
  content.set(prefix);
  content.set(bytes, prefix.length);
  if (!(await anySignatureMatches(request, content, parsed))) throw noMatchingSignature(request);
  return parseEvent(typeof payload === "string" ? payload : decodeUtf8(bytes));
}

async function anySignatureMatches(
  request: SignedRequest,
  content: Uint8Array<ArrayBuffer>,
  secrets: readonly ParsedSecret[],
): Promise<boolean> {
  const subtle = globalThis.crypto.subtle;
  let usable = false;
  for (const secret of secrets) {
    if (secret.kind === "hmac") {
      const raw = request.scheme === "stripe" ? secret.stripeKey : secret.standardKey;
      if (raw === undefined) continue;
      usable = true;
      if (request.hmac.length === 0) continue;
      const key = await subtle.importKey(
        "raw",
        copy(raw),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      );
      for (const text of request.hmac) {
        const signature = request.scheme === "stripe" ? decodeLowerHex(text) : decodeBase64(text);
        // subtle.verify compares in constant time.
        if (signature && (await subtle.verify("HMAC", key, copy(signature), content))) return true;
      }
    } else if (secret.kind === "ed25519-public" && request.scheme === "standard") {
      usable = true;
      if (request.ed25519.length === 0) continue;
      const key = await subtle.importKey(
        "raw",
        copy(secret.publicKey),
        { name: "Ed25519" },
        false,
        ["verify"],
      );
      for (const text of request.ed25519) {
        const signature = decodeBase64(text);
        if (signature && (await subtle.verify("Ed25519", key, copy(signature), content)))
          return true;
      }
    }
  }
  if (!usable) {
    throw noUsableSecret(
      request.scheme,
      secrets.some((s) => s.kind === "ed25519-secret"),
    );
  }
  return false;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw notUtf8();
  }
}

/** WebCrypto wants bytes backed by a plain ArrayBuffer. */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
