import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyRow } from "../store/tenant-types.ts";
import { unauthorized } from "./errors.ts";
import { PORTAL_TOKEN_PREFIX } from "./portal-token.ts";

export function hashKey(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

/**
 * Who is calling: the root key (every tenant), a key scoped to one tenant, or a portal link
 * (one tenant, until `expiresAt` in unix ms, only what api/portal-access.ts allows).
 */
export type Principal =
  | { kind: "root" }
  | { kind: "tenant"; tenantId: string; keyId: string }
  | { kind: "portal"; tenantId: string; expiresAt: number };

/**
 * Checks `Authorization: Bearer <key>`: the root key (compared in constant time), else a tenant
 * key looked up by its hash (only hashes are stored, so a timing difference reveals nothing),
 * or a portal link's token (`plt_…`, checked by its signature).
 */
export async function authenticate(
  authorization: string | undefined,
  rootKeyHash: Buffer,
  findKey: (hash: Buffer) => Promise<ApiKeyRow | undefined>,
  checkPortal?: (token: string) => Promise<{ tenantId: string; expiresAt: number }>,
): Promise<Principal> {
  if (authorization === undefined || authorization === "") {
    throw unauthorized(
      "You did not provide an API key. Send it as 'Authorization: Bearer <key>' (the key hookline serve printed on first start, or HOOKLINE_API_KEY).",
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match === null) {
    throw unauthorized("The Authorization header must have the form 'Bearer <key>'.");
  }
  const token = match[1]!;
  if (checkPortal !== undefined && token.startsWith(PORTAL_TOKEN_PREFIX)) {
    return { kind: "portal", ...(await checkPortal(token)) };
  }
  const hash = hashKey(token);
  if (timingSafeEqual(hash, rootKeyHash)) return { kind: "root" };
  const key = await findKey(hash);
  if (key === undefined) throw unauthorized("Invalid API key provided.");
  return { kind: "tenant", tenantId: key.tenantId, keyId: key.id };
}
