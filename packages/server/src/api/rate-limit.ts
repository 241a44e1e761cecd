import { type Bucket, fullBucket, take } from "../domain/token-bucket.ts";
import type { Principal } from "./auth.ts";
import { ApiError, ErrorType } from "./errors.ts";

/**
 * API rate limits per key: a token bucket of `rate` requests per second holding one second's
 * worth, so short bursts pass and a runaway loop is held to the rate. Over the limit: 429 with
 * Retry-After. Per process: N nodes behind a balancer allow N × the rate.
 */
export function createApiRateLimit(options: {
  tenantKeyRate: number;
  rootKeyRate: number;
  clock: () => number;
}) {
  const buckets = new Map<string, Bucket>();
  return (principal: Principal): void => {
    const rate = principal.kind === "root" ? options.rootKeyRate : options.tenantKeyRate;
    if (rate <= 0) return;
    // A tenant's portal links share one bucket: minting more links does not raise the limit.
    const id =
      principal.kind === "root"
        ? "root"
        : principal.kind === "portal"
          ? `portal:${principal.tenantId}`
          : principal.keyId;
    const now = options.clock();
    const taken = take(buckets.get(id) ?? fullBucket(rate, now, rate), rate, now, rate);
    // Buckets of idle keys are full again after a second: forgetting them loses nothing.
    if (buckets.size > 100_000) buckets.clear();
    buckets.set(id, taken.bucket);
    if (taken.ok) return;
    const error = new ApiError(
      429,
      ErrorType.rateLimit,
      "rate_limit",
      `Too many requests with this API key (at most ${rate} per second); retry after the time in Retry-After.`,
    );
    error.retryAfterSeconds = Math.max(1, Math.ceil(taken.waitMs / 1000));
    throw error;
  };
}
