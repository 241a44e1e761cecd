interface Waiting<TItem, TResult> {
  item: TItem;
  resolve(result: TResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for a database across a network (PostgreSQL): items queued while one statement
 * runs go out together as the next statement, one round trip and one commit (one WAL flush) for
 * all of them. One statement runs at a time, so under load the batches grow by themselves; alone,
 * an item goes out at the next turn of the event loop. `run` answers one result per item, in
 * order. Items with the same `key` never share a statement (an upsert may not touch a row twice):
 * the later one waits for the next.
 */
export function createBatchStatement<TItem, TResult>(
  run: (items: TItem[]) => Promise<TResult[]>,
  key: (item: TItem) => string,
): (item: TItem) => Promise<TResult> {
  let queue: Waiting<TItem, TResult>[] = [];
  // One statement at a time: two in flight measured no faster (bench/handler.ts, PostgreSQL on
  // the same two cores), and every batch then grows while the previous one commits.
  let running = false;

  const next = async () => {
    if (running || queue.length === 0) return;
    running = true;
    const batch: Waiting<TItem, TResult>[] = [];
    const rest: Waiting<TItem, TResult>[] = [];
    const keys = new Set<string>();
    for (const waiting of queue) {
      const k = key(waiting.item);
      if (keys.has(k)) rest.push(waiting);
      else {
        keys.add(k);
        batch.push(waiting);
      }
    }
    queue = rest;
    try {
      const results = await run(batch.map((waiting) => waiting.item));
      for (const [i, waiting] of batch.entries()) waiting.resolve(results[i]!);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      running = false;
      void next();
    }
  };

  return (item) =>
    new Promise<TResult>((resolve, reject) => {
      if (queue.length === 0) setImmediate(next);
      queue.push({ item, resolve, reject });
    });
}
