import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyRow } from "../store/tenant-types.ts";
import { unauthorized } from "./errors.ts";

export function hashKey(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

/** Who is calling: the root key (every tenant), or a key scoped to one tenant. */
export type Principal = { kind: "root" } | { kind: "tenant"; tenantId: string; keyId: string };

/**
 * Checks `Authorization: Bearer <key>`: the root key (compared in constant time), else a tenant
 * key looked up by its hash (only hashes are stored, so a timing difference reveals nothing).
 */
export async function authenticate(
  authorization: string | undefined,
  rootKeyHash: Buffer,
  findKey: (hash: Buffer) => Promise<ApiKeyRow | undefined>,
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
  const hash = hashKey(match[1]!);
  if (timingSafeEqual(hash, rootKeyHash)) return { kind: "root" };
  const key = await findKey(hash);
  if (key === undefined) throw unauthorized("Invalid API key provided.");
  return { kind: "tenant", tenantId: key.tenantId, keyId: key.id };
}
