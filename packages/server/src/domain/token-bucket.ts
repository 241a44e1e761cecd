/**
 * A per-endpoint rate limit as a token bucket: `rate` requests per second. The bucket holds a
 * tenth of a second's worth (at least one), so any one-second window sees at most `rate` plus
 * that small burst: a receiver that says "10 per second" means it, a 1,000/s one still gets
 * requests in batches that timers can keep up with. Pure: the caller keeps the bucket.
 */
export function capacity(rate: number): number {
  return Math.max(1, Math.floor(rate / 10));
}
export interface Bucket {
  tokens: number;
  at: number;
}

export function fullBucket(rate: number, now: number, burst = capacity(rate)): Bucket {
  return { tokens: burst, at: now };
}

/** Takes a token if one is there; otherwise says how long until one is. */
export function take(
  bucket: Bucket,
  rate: number,
  now: number,
  burst = capacity(rate),
): { bucket: Bucket; ok: true } | { bucket: Bucket; ok: false; waitMs: number } {
  const tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * rate) / 1000);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, ok: true };
  return {
    bucket: { tokens, at: now },
    ok: false,
    waitMs: Math.ceil(((1 - tokens) * 1000) / rate),
  };
}
