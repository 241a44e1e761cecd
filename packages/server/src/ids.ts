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

// randomBytes costs about 5 µs a call and an event needs several ids, so random bytes are
// drawn from a pool refilled 4 KB at a time.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** A new id: the prefix and 24 base62 characters (about 143 random bits). */
export function newId(prefix: IdPrefix): string {
  if (offset + 24 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let id: string = prefix;
  // 62 * 4 = 248 < 256: the bias of `byte % 62` is under 4%, harmless for ids that are not secrets.
  for (let i = offset; i < offset + 24; i++) id += ALPHABET[pool[i]! % 62];
  offset += 24;
  return id;
}

const SHAPE = /^[a-z]+_[0-9A-Za-z]{1,64}$/;

/** True when `id` has the given prefix and the shape of our ids (checked at the API boundary). */
export function isId(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(prefix) && SHAPE.test(id);
}
