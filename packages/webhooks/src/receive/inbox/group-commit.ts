interface Pending {
  statement(): unknown;
  durable: boolean;
  value?: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface GroupCommit {
  /**
   * Runs `statement` inside the next shared transaction and resolves to its result once that
   * transaction committed, and, when `durable`, once the commit is on disk as well.
   */
  run<T>(statement: () => T, durable: boolean): Promise<T>;
  /** Commits what is queued now and resolves once nothing is queued or syncing: before close. */
  settle(): Promise<void>;
}

/**
 * Commits concurrent receipts together, as the server's store groups its commits: statements
 * queued during one turn of the event loop (every request whose bytes arrived in the same poll)
 * run in ONE transaction at the next check phase, so a burst of N events costs one BEGIN/COMMIT
 * and one sync instead of N. Synchronous drivers only (better-sqlite3): the statements run back
 * to back inside `transaction`, which throws to roll them all back.
 */
export function createGroupCommit(
  transaction: (work: () => void) => void,
  sync: (() => Promise<void>) | undefined,
  options: { syncsInFlight?: number } = {},
): GroupCommit {
  const maxSyncs = options.syncsInFlight ?? 1;
  let queue: Pending[] = [];
  // The syncs running, each settling to nothing.
  const syncing = new Set<Promise<void>>();
  let waitingForSlot = false;

  const flush = () => {
    // While `maxSyncs` syncs run, claims keep queueing rather than commit: they wait for a sync
    // anyway, and one bigger transaction writes fewer WAL pages than several small ones.
    if (syncing.size >= maxSyncs) {
      if (!waitingForSlot) {
        waitingForSlot = true;
        void Promise.race(syncing).then(() => {
          waitingForSlot = false;
          setImmediate(flush);
        });
      }
      return;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      transaction(() => {
        for (const pending of batch) pending.value = pending.statement();
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const durable: Pending[] = [];
    for (const pending of batch) {
      if (pending.durable && sync !== undefined) durable.push(pending);
      else pending.resolve(pending.value);
    }
    if (durable.length === 0) return;
    const current = sync!().then(
      () => {
        for (const pending of durable) pending.resolve(pending.value);
      },
      (error: unknown) => {
        for (const pending of durable) pending.reject(error);
      },
    );
    const settled = current.finally(() => {
      syncing.delete(settled);
    });
    syncing.add(settled);
  };

  return {
    run<T>(statement: () => T, durable: boolean) {
      return new Promise<T>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ statement, durable, resolve: resolve as (value: unknown) => void, reject });
      });
    },
    async settle() {
      while (queue.length > 0 || syncing.size > 0) {
        if (syncing.size > 0) await Promise.all(syncing);
        else flush();
      }
    },
  };
}
