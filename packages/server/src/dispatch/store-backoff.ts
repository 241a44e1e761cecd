import type { Logger } from "./logger.ts";

/**
 * How a loop that calls the store rides out an outage (the database restarting, a full disk):
 * after a failure it waits, doubling from `firstMs` to `maxMs` with each failure in a row, each
 * wait spread by ±50% so that the nodes of a cluster do not all come back in the same instant
 * when the database does; it logs one line when the calls start failing and one when they work
 * again, instead of one per failed call.
 */
export interface StoreRetry {
  /** The call failed: `retry` runs after the backoff (once; a later failure arms it again). */
  failed(error: unknown, retry: () => void): void;
  /** The call worked: the backoff starts over, and an outage that was logged ends. */
  ok(): void;
  /** True while a retry is armed. */
  waiting(): boolean;
  cancel(): void;
}

export function createStoreRetry(
  log: Logger,
  what: string,
  options: { firstMs?: number; maxMs?: number; random?: () => number } = {},
): StoreRetry {
  const firstMs = options.firstMs ?? 100;
  const maxMs = options.maxMs ?? 5_000;
  const random = options.random ?? Math.random;
  let failures = 0;
  let since: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    failed(error, retry) {
      const waitMs = Math.max(
        1,
        Math.round(Math.min(maxMs, firstMs * 2 ** failures) * (0.5 + random())),
      );
      failures++;
      if (since === undefined) {
        since = Date.now();
        log.error(
          { err: error, retry_in_ms: waitMs },
          `${what} failed: the store is unavailable; retrying with backoff`,
        );
      }
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        retry();
      }, waitMs);
      timer.unref();
    },
    ok() {
      if (since !== undefined) {
        log.warn(
          { down_ms: Date.now() - since, failures },
          `${what} works again: the store is back`,
        );
      }
      since = undefined;
      failures = 0;
    },
    waiting: () => timer !== undefined,
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
