import { StoreUnavailableError } from "../store/errors.ts";
import type { Logger } from "./logger.ts";

/**
 * How a loop that calls the store rides out an outage (the database restarting, a full disk):
 * after a failure it waits, doubling from `firstMs` to `maxMs` with each failure in a row, each
 * wait spread by ±50% so that the nodes of a cluster do not all come back in the same instant
 * when the database does; it logs one line when the calls start failing and one when they work
 * again, instead of one per failed call. An outage the store itself recognised
 * (`StoreUnavailableError`: it logs the outage once for every caller) is logged at debug here.
 */
export interface StoreRetry {
  /** The call failed: `retry` runs after the backoff (once; a later failure arms it again). */
  failed(error: unknown, retry: () => void): void;
  /** The call worked: the backoff starts over, and an outage that was logged ends. */
  ok(): void;
  /** Runs the armed retry now (the store is known to be back). */
  now(): void;
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
  let pending: (() => void) | undefined;
  return {
    failed(error, retry) {
      const waitMs = Math.max(
        1,
        Math.round(Math.min(maxMs, firstMs * 2 ** failures) * (0.5 + random())),
      );
      failures++;
      if (since === undefined) {
        since = Date.now();
        const known = error instanceof StoreUnavailableError;
        (known ? log.debug : log.error).call(
          log,
          { err: error, retry_in_ms: waitMs },
          `${what} failed; retrying with backoff`,
        );
      }
      if (timer !== undefined) clearTimeout(timer);
      pending = retry;
      timer = setTimeout(() => {
        timer = undefined;
        retry();
      }, waitMs);
      timer.unref();
    },
    ok() {
      if (since !== undefined) {
        log.info({ down_ms: Date.now() - since, failures }, `${what} works again`);
      }
      since = undefined;
      failures = 0;
    },
    now() {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      pending?.();
    },
    waiting: () => timer !== undefined,
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
