import { createHmac, randomUUID, sign as signEd25519 } from "node:crypto";
import { WebhookVerificationError } from "../errors.ts";
import { WEBHOOK_ID } from "../schemes/standard-header.ts";
import { type NodeKey, nodeKeys } from "./keys.ts";

/** Which header sets to produce. Hookline sends `both`, so any verifier of either scheme works. */
export type SignScheme = "stripe" | "standard" | "both";

export interface SignOptions {
  /** Default `both`. */
  scheme?: SignScheme;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** The `webhook-id` (Standard Webhooks): the event id. Defaults to a random `msg_…`. */
  id?: string;
}

/**
 * Signs a payload and returns the headers to send with it. Every secret signs, so during a
 * rotation the old and the new secret both produce an entry: `Stripe-Signature` gets one `v1=`
 * per HMAC secret; `webhook-signature` one `v1,` per HMAC secret and one `v1a,` per ed25519
 * secret key (`whsk_…`).
 *
 * @example
 * ```ts
 * import { sign } from "@hookline/webhooks";
 *
 * const body = JSON.stringify(event);
 * const headers = sign(body, "whsec_…", { id: event.id });
 * await fetch(url, { method: "POST", body, headers: { ...headers, "content-type": "application/json" } });
 * ```
 */
export function sign(
  payload: string | Uint8Array,
  secrets: string | readonly string[],
  options: SignOptions = {},
): Record<string, string> {
  if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
    throw new TypeError("payload must be the exact string or bytes you will send");
  }
  const scheme = options.scheme ?? "both";
  if (scheme !== "stripe" && scheme !== "standard" && scheme !== "both") {
    throw new TypeError(
      `options.scheme must be "stripe", "standard" or "both", got ${String(scheme)}`,
    );
  }
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError("options.timestamp must be whole unix seconds");
  }
  const id = options.id ?? `msg_${randomUUID().replaceAll("-", "")}`;
  if (!WEBHOOK_ID.test(id)) {
    throw new TypeError(
      'options.id must be 1 to 256 printable ASCII characters without "." or spaces',
    );
  }
  const keys = nodeKeys(secrets);
  if (keys.some((key) => key.kind === "ed25519-public")) {
    throw cannotSign("a whpk_ public key only verifies; sign with its whsk_ secret key");
  }
  const headers: Record<string, string> = {};
  if (scheme !== "standard") {
    headers["stripe-signature"] = stripeHeader(payload, keys, timestamp);
  }
  if (scheme !== "stripe") {
    headers["webhook-id"] = id;
    headers["webhook-timestamp"] = String(timestamp);
    headers["webhook-signature"] = standardHeader(payload, keys, `${id}.${timestamp}.`);
  }
  return headers;
}

function stripeHeader(payload: string | Uint8Array, keys: readonly NodeKey[], t: number): string {
  let header = `t=${t}`;
  for (const key of keys) {
    if (key.kind !== "hmac") continue;
    header += `,v1=${createHmac("sha256", key.stripe).update(`${t}.`).update(payload).digest("hex")}`;
  }
  if (header.length === `t=${t}`.length) throw cannotSign("Stripe's scheme needs a whsec_ secret");
  return header;
}

function standardHeader(
  payload: string | Uint8Array,
  keys: readonly NodeKey[],
  prefix: string,
): string {
  const entries: string[] = [];
  for (const key of keys) {
    if (key.kind === "hmac" && key.standard !== undefined) {
      const mac = createHmac("sha256", key.standard).update(prefix).update(payload);
      entries.push(`v1,${mac.digest("base64")}`);
    } else if (key.kind === "ed25519-secret") {
      const content = Buffer.concat([Buffer.from(prefix), Buffer.from(payload)]);
      entries.push(`v1a,${signEd25519(null, content, key.privateKey).toString("base64")}`);
    }
  }
  if (entries.length === 0) {
    throw cannotSign("Standard Webhooks needs whsec_ followed by base64, or a whsk_ secret key");
  }
  return entries.join(" ");
}

function cannotSign(why: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_secret", `cannot sign: ${why}`);
}
