import { createHash, timingSafeEqual } from "node:crypto";
import { unauthorized } from "./errors.ts";

export function hashKey(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

/** Checks `Authorization: Bearer <key>` against the root key's hash, in constant time. */
export function authenticate(authorization: string | undefined, rootKeyHash: Buffer): void {
  if (authorization === undefined || authorization === "") {
    throw unauthorized(
      "You did not provide an API key. Send it as 'Authorization: Bearer <key>' (the key hookline serve printed on first start, or HOOKLINE_API_KEY).",
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match === null) {
    throw unauthorized("The Authorization header must have the form 'Bearer <key>'.");
  }
  if (!timingSafeEqual(hashKey(match[1]!), rootKeyHash)) {
    throw unauthorized("Invalid API key provided.");
  }
}
