import type { CreateEventResult, NewEventRows, Store } from "../store/types.ts";

/** A committed event, and when it would also survive a power cut. */
export interface Committed {
  result: CreateEventResult;
  /** Await before acknowledging the event to anyone. */
  durable: Promise<void>;
}

/** Events committed together, in the order given, and when they would survive a power cut. */
export interface CommittedMany {
  results: CreateEventResult[];
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
  /**
   * Commits `items` in one transaction, never split (a batch request's events are all
   * committed or none is), possibly with other requests' events.
   */
  commitMany(items: readonly NewEventRows[]): Promise<CommittedMany>;
}

interface Entry {
  items: readonly NewEventRows[];
  resolve: (c: CommittedMany) => void;
  reject: (e: unknown) => void;
}

export function createCommitQueue(store: Store, options: { maxBatch?: number } = {}): CommitQueue {
  const maxBatch = options.maxBatch ?? 500;
  const pending: Entry[] = [];
  let scheduled = false;

  /** Entries up to `maxBatch` events, and always the first whole (a batch may exceed it). */
  function take(): Entry[] {
    let count = 0;
    let n = 0;
    while (n < pending.length && (n === 0 || count + pending[n]!.items.length <= maxBatch)) {
      count += pending[n]!.items.length;
      n++;
    }
    return pending.splice(0, n);
  }

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = take();
    if (pending.length > 0) schedule();
    let results: CreateEventResult[];
    try {
      results = await store.createEvents(batch.flatMap((entry) => entry.items));
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
    let at = 0;
    for (const entry of batch) {
      entry.resolve({ results: results.slice(at, at + entry.items.length), durable });
      at += entry.items.length;
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  function commitMany(items: readonly NewEventRows[]): Promise<CommittedMany> {
    if (items.length === 0) return Promise.resolve({ results: [], durable: Promise.resolve() });
    return new Promise((resolve, reject) => {
      pending.push({ items, resolve, reject });
      schedule();
    });
  }

  return {
    commitMany,
    async commit(item) {
      const { results, durable } = await commitMany([item]);
      return { result: results[0]!, durable };
    },
  };
}
