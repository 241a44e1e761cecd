import { randomBytes } from "node:crypto";

/** The id prefixes: the kind of an object is readable from its id alone. */
export const IdPrefix = {
  event: "evt_",
  endpoint: "we_",
  delivery: "dlv_",
  attempt: "att_",
  tenant: "tn_",
  request: "req_",
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A new id: the prefix and 24 base62 characters (about 143 random bits). */
export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(24);
  let id = prefix;
  // 62 * 4 = 248 < 256: the bias of `byte % 62` is under 4%, harmless for ids that are not secrets.
  for (const byte of bytes) id += ALPHABET[byte % 62];
  return id;
}

const SHAPE = /^[a-z]+_[0-9A-Za-z]{1,64}$/;

/** True when `id` has the given prefix and the shape of our ids (checked at the API boundary). */
export function isId(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(prefix) && SHAPE.test(id);
}
