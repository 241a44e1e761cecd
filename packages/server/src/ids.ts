import { randomBytes } from "node:crypto";

/** The id prefixes: the kind of an object is readable from its id alone. */
export const IdPrefix = {
  event: "evt_",
  endpoint: "we_",
  delivery: "dlv_",
  attempt: "att_",
  tenant: "tn_",
  apiKey: "key_",
  request: "req_",
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// randomBytes costs about 5 µs a call and an event needs several ids, so random bytes are
// drawn from a pool refilled 4 KB at a time.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

const RANDOM_CHARS = 16;
const TIME_CHARS = 8; // 62^8 ms reaches past the year 8000

/**
 * A new id: the prefix, 8 base62 characters of the current time in ms, then 16 random ones
 * (about 95 bits). Time first makes ids of one kind sort by creation, and makes the unique index
 * on them grow at its end instead of dirtying pages all over it on every insert.
 */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  if (offset + RANDOM_CHARS > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let time = "";
  for (let rest = Math.floor(now), i = 0; i < TIME_CHARS; i++, rest = Math.floor(rest / 62)) {
    time = ALPHABET[rest % 62] + time;
  }
  let id: string = prefix + time;
  // 62 * 4 = 248 < 256: the bias of `byte % 62` is under 4%, harmless for ids that are not secrets.
  for (let i = offset; i < offset + RANDOM_CHARS; i++) id += ALPHABET[pool[i]! % 62];
  offset += RANDOM_CHARS;
  return id;
}

const SHAPE = /^[a-z]+_[0-9A-Za-z]{1,64}$/;

/** True when `id` has the given prefix and the shape of our ids (checked at the API boundary). */
export function isId(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(prefix) && SHAPE.test(id);
}
