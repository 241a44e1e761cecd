import type { Availability } from "./availability.ts";
import { StoreUnavailableError } from "./errors.ts";
import { classifyStoreError } from "./failure.ts";

// Calls that write whenever they succeed: only these tell that a full disk has room again.
// A claim or a reclaim that found nothing succeeds without writing a page.
const WRITES = new Set<PropertyKey>([
  "createEvents",
  "createEndpoint",
  "updateEndpoint",
  "setSetting",
  "recordResults",
  "createTenant",
  "createApiKey",
]);

// Not calls on the database: opening and closing, subscribing to wake-ups.
const UNWATCHED = new Set<PropertyKey>(["close", "onDeliveriesDue", "onOutboxRows"]);

/**
 * The store as the rest of the process sees it: every call that fails because the database is
 * away or its disk is full rejects with a `StoreUnavailableError` (code `database_unavailable`
 * or `disk_full`, the driver's error as its `cause`), which the API answers with a 503 and the
 * loops treat as "try later"; and every call tells `availability` how it went. Both backends
 * and every caller get this once, here, instead of a try/catch at each of them.
 */
export function guardStore<S extends object>(store: S, availability: Availability): S {
  const wrapped = new Map<PropertyKey, unknown>();

  function settle<T>(method: PropertyKey, result: T): T {
    if (!(result instanceof Promise)) return result;
    return result.then(
      (value) => {
        availability.succeeded(WRITES.has(method));
        return value;
      },
      (error: unknown) => {
        throw refusal(error);
      },
    ) as T;
  }

  function refusal(error: unknown): unknown {
    const kind = error instanceof StoreUnavailableError ? error.code : classifyStoreError(error);
    if (kind === undefined) return error;
    availability.failed(kind, error instanceof StoreUnavailableError ? error.cause : error);
    return error instanceof StoreUnavailableError ? error : new StoreUnavailableError(kind, error);
  }

  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || UNWATCHED.has(key)) return value;
      let guarded = wrapped.get(key);
      if (guarded === undefined) {
        guarded = (...args: unknown[]) => {
          try {
            return settle(key, Reflect.apply(value, target, args));
          } catch (error) {
            throw refusal(error);
          }
        };
        wrapped.set(key, guarded);
      }
      return guarded;
    },
  });
}
