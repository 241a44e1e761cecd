import { createHmac, timingSafeEqual } from "node:crypto";
import { IdPrefix, isId } from "../ids.ts";

// portal link: a signed, expiring bearer token that lets a customer see (and look after) one
// tenant's endpoints and events in the dashboard, without an API key of their own.
//
// Token: `plt_` + base64url(payload JSON) + "." + base64url(HMAC-SHA256(secret, that base64url
// text)). Signing the encoded text, not a re-serialised object, means the verifier checks
// exactly the bytes it received (the JWT way), with no canonical JSON to agree on.

export const PORTAL_TOKEN_PREFIX = "plt_";
const VERSION = 1;
const TOKEN = /^plt_([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/;

/** What a verified token says: the tenant it opens, and until when (unix ms). */
export interface PortalGrant {
  tenantId: string;
  expiresAt: number;
}

export type PortalVerdict =
  | { ok: true; grant: PortalGrant }
  | { ok: false; reason: "malformed" | "bad_signature" }
  | { ok: false; reason: "expired"; expiresAt: number };

const mac = (secret: Buffer, text: string) => createHmac("sha256", secret).update(text).digest();

/** A token for `tenantId` valid until `expiresAt` (unix ms, rounded down to the second). */
export function signPortalToken(secret: Buffer, grant: PortalGrant): string {
  const payload = Buffer.from(
    JSON.stringify({ t: grant.tenantId, exp: Math.floor(grant.expiresAt / 1000), v: VERSION }),
  ).toString("base64url");
  return `${PORTAL_TOKEN_PREFIX}${payload}.${mac(secret, payload).toString("base64url")}`;
}

/**
 * Checks a token's signature (in constant time) before reading anything it says, then its
 * expiry against `now` (unix ms). A token that expires at second S is refused from S on.
 */
export function verifyPortalToken(secret: Buffer, token: string, now: number): PortalVerdict {
  const match = TOKEN.exec(token);
  if (match === null) return { ok: false, reason: "malformed" };
  const [, payload, signature] = match as unknown as [string, string, string];
  // Compared as text, in its one canonical encoding: decoding first would accept a signature
  // whose last character differs in base64url's unused bits (several spellings of one link).
  const given = Buffer.from(signature);
  const expected = Buffer.from(mac(secret, payload).toString("base64url"));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad_signature" };
  }
  let claims: { t?: unknown; exp?: unknown; v?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (
    claims === null ||
    typeof claims !== "object" ||
    claims.v !== VERSION ||
    typeof claims.t !== "string" ||
    !isId(claims.t, IdPrefix.tenant) ||
    typeof claims.exp !== "number" ||
    !Number.isSafeInteger(claims.exp)
  ) {
    return { ok: false, reason: "malformed" };
  }
  const expiresAt = claims.exp * 1000;
  if (now >= expiresAt) return { ok: false, reason: "expired", expiresAt };
  return { ok: true, grant: { tenantId: claims.t, expiresAt } };
}
