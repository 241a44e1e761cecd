import type { Availability, StoreState } from "./availability.ts";
import type { Store } from "./types.ts";

export interface StoreReadiness {
  /** The database answers a query. */
  database: boolean;
  /** The schema is at the latest migration this build knows. */
  migrations: boolean;
  /** `up`, or why the store refuses writes. */
  store: StoreState;
}

/**
 * What /readyz says about the store, checked at most once per `ttlMs` however often it is
 * polled (load balancers and every node's orchestrator poll each second), and never waiting
 * longer than `timeoutMs` for a database that does not answer. While the store is down for a
 * full disk, a read proves nothing: the check then writes one small row, which is how it learns
 * that space came back when no other write is being tried.
 */
export function storeReadiness(
  store: Store,
  availability: Availability | undefined,
  options: { ttlMs?: number; timeoutMs?: number } = {},
): () => Promise<StoreReadiness> {
  const ttlMs = options.ttlMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 1000;
  // Real time, not the injected clock: this is about how often the database is asked.
  let last: { at: number; result: Promise<StoreReadiness> } | undefined;

  async function check(): Promise<StoreReadiness> {
    if (availability?.state() === "disk_full") {
      await within(store.setSetting("readiness_probe", String(Date.now())), timeoutMs);
    }
    const database = (await within(store.ping(), timeoutMs)) === true;
    const schema = database ? await within(store.schemaVersion(), timeoutMs) : undefined;
    return {
      database,
      migrations: schema !== undefined && schema.applied === schema.latest,
      store: availability?.state() ?? (database ? "up" : "database_unavailable"),
    };
  }

  return () => {
    const now = performance.now();
    if (last === undefined || now - last.at >= ttlMs) last = { at: now, result: check() };
    return last.result;
  };
}

/** The value, or undefined if it failed or took longer than `ms`. */
function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  return Promise.race([work.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}
