import type { CreateEventResult, NewEventRows, Store } from "../store/types.ts";

/** A committed event, and when it would also survive a power cut. */
export interface Committed {
  result: CreateEventResult;
  /** Await before acknowledging the event to anyone. */
  durable: Promise<void>;
}

/**
 * Group commit for ingest. Every accepted event must be on disk (fsync) before the API answers.
 * Requests that arrive in the same turn of the event loop are committed in one transaction, and
 * the batch is then synced once (store.syncCommits, off the event loop on SQLite); each request
 * learns of its commit at once, so its deliveries start before the sync, and answers its client
 * only after `durable`.
 */
export interface CommitQueue {
  commit(item: NewEventRows): Promise<Committed>;
}

export function createCommitQueue(store: Store, options: { maxBatch?: number } = {}): CommitQueue {
  const maxBatch = options.maxBatch ?? 500;
  const pending: {
    item: NewEventRows;
    resolve: (c: Committed) => void;
    reject: (e: unknown) => void;
  }[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = pending.splice(0, maxBatch);
    if (pending.length > 0) schedule();
    let results: CreateEventResult[];
    try {
      results = await store.createEvents(batch.map((entry) => entry.item));
    } catch (error) {
      // Nothing of the batch was committed: every request in it fails, none is acknowledged.
      for (const entry of batch) entry.reject(error);
      return;
    }
    // Asked for in the next turn: the requests resolved below hand their deliveries to the
    // dispatcher first, so the first attempts are on the wire before the sync is even queued
    // (asking at once cost each request about 0.1 ms before its send, at 200 events/s).
    const durable = new Promise<void>((resolve, reject) =>
      setImmediate(() => store.syncCommits().then(resolve, reject)),
    );
    // Each request awaits it; this keeps a failed sync from being an unhandled rejection
    // before they do.
    durable.catch(() => undefined);
    for (const [i, entry] of batch.entries()) entry.resolve({ result: results[i]!, durable });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return {
    commit(item) {
      return new Promise((resolve, reject) => {
        pending.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}
