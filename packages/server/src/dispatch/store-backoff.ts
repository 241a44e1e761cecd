import type { Logger } from "./logger.ts";

/**
 * How long a loop waits before it asks the store again after a failure: doubling from `firstMs`
 * to `maxMs`, each wait spread by ±50% so that the nodes of a cluster do not all come back in
 * the same instant when the database does. Reset by a success.
 */
export interface StoreBackoff {
  next(): number;
  reset(): void;
}

export function createStoreBackoff(
  options: { firstMs?: number; maxMs?: number; random?: () => number } = {},
): StoreBackoff {
  const firstMs = options.firstMs ?? 100;
  const maxMs = options.maxMs ?? 5_000;
  const random = options.random ?? Math.random;
  let failures = 0;
  return {
    next() {
      const base = Math.min(maxMs, firstMs * 2 ** failures);
      failures++;
      return Math.max(1, Math.round(base * (0.5 + random())));
    },
    reset() {
      failures = 0;
    },
  };
}

/**
 * One log line when a loop's store calls start failing and one when they work again, instead
 * of one per failed call: a database that is away for a minute must not flood the log.
 */
export function createOutageLog(
  log: Logger,
  what: string,
): { failed(error: unknown, retryInMs: number): void; ok(): void } {
  let since: number | undefined;
  let failures = 0;
  return {
    failed(error, retryInMs) {
      failures++;
      if (since !== undefined) return;
      since = Date.now();
      log.error(
        { err: error, retry_in_ms: retryInMs },
        `${what} failed: the store is unavailable; retrying with backoff`,
      );
    },
    ok() {
      if (since === undefined) return;
      log.warn({ down_ms: Date.now() - since, failures }, `${what} works again: the store is back`);
      since = undefined;
      failures = 0;
    },
  };
}
