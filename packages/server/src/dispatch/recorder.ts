import type { LadderPolicy } from "../domain/health-ladder.ts";
import type { AttemptResult, HealthChange, Store } from "../store/types.ts";
import type { Logger } from "./logger.ts";
import { createStoreRetry } from "./store-retry.ts";

export interface ExhaustedDelivery {
  tenantId: string;
  deliveryId: string;
  eventType: string;
}

/**
 * The recorder: commits attempt outcomes in batches. Outcomes that finish in the same turn of
 * the event loop go in one transaction. An outcome is never dropped: while the store fails, the
 * batch is kept and tried again with backoff. Until it is recorded the delivery stays in flight
 * under its lease, so a crash meanwhile sends it again (at least once, never zero).
 */
export interface Recorder {
  add(result: AttemptResult, exhausted?: ExhaustedDelivery): void;
  /** The store is back: a batch waiting on backoff is written now. */
  retryNow(): void;
  /** Resolves once everything added so far is recorded (or the store gave up for now). */
  flush(): Promise<void>;
}

export interface RecorderOptions {
  store: Pick<Store, "recordResults">;
  ladder: LadderPolicy;
  clock: () => number;
  log: Logger;
  /** Called once the batch is in the store. */
  onRecorded(batch: AttemptResult[], changes: HealthChange[], exhausted: ExhaustedDelivery[]): void;
}

export function createRecorder(options: RecorderOptions): Recorder {
  const retry = createStoreRetry(options.log, "recording attempt outcomes");
  let results: AttemptResult[] = [];
  let exhausted: ExhaustedDelivery[] = [];
  let scheduled = false;
  let chain: Promise<void> = Promise.resolve();

  function schedule(): void {
    if (scheduled || retry.waiting()) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      chain = chain.then(write);
    });
  }

  async function write(): Promise<void> {
    if (results.length === 0) return;
    const batch = results;
    const ranOut = exhausted;
    results = [];
    exhausted = [];
    let changes: HealthChange[];
    try {
      changes = await options.store.recordResults(batch, options.clock(), options.ladder);
    } catch (error) {
      results = batch.concat(results);
      exhausted = ranOut.concat(exhausted);
      retry.failed(error, schedule);
      return;
    }
    retry.ok();
    options.onRecorded(batch, changes, ranOut);
  }

  return {
    add(result, ranOut) {
      results.push(result);
      if (ranOut !== undefined) exhausted.push(ranOut);
      schedule();
    },
    retryNow: () => retry.now(),
    async flush() {
      retry.cancel();
      chain = chain.then(write);
      await chain;
    },
  };
}
