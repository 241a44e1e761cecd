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
 * the event loop go in one transaction, and under load a batch waits until `PACE_MS` after the
 * last one: a transaction costs about as much as recording five outcomes in it (SQLite, this
 * machine: 130 to 150 µs of CPU for a batch of one, 18 to 25 µs per outcome in batches of 16 to
 * 64), and outcomes arrive a few per turn. Nothing waits on the record to go on: the attempt's
 * slot is free once its outcome is known, so the pace costs throughput nothing. The one
 * exception is a keyed delivery that succeeded or ran out of attempts: the next of its key waits
 * for it, so a batch holding one is written at once. An outcome is never dropped: while the store fails,
 * the batch is kept and tried again with backoff. Until it is recorded the delivery stays in
 * flight under its lease, so a crash meanwhile sends it again (at least once, never zero).
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

/**
 * Under load, at most one recording transaction per this many ms... At 5,000 outcomes a second
 * that is batches of about 75. Draining one endpoint's backlog, 15 ms against 5 took the main
 * thread's CPU per delivery from 97–108 to 69–95 µs (three interleaved pairs on a shared
 * machine). What it costs: an outcome shows in the API up to 15 ms later, and a crash sends up
 * to 15 ms of answered deliveries again.
 */
export const PACE_MS = 15;
/** ...unless this many outcomes are waiting. */
export const MAX_BATCH = 256;

export function createRecorder(options: RecorderOptions): Recorder {
  const retry = createStoreRetry(options.log, "recording attempt outcomes");
  let results: AttemptResult[] = [];
  let exhausted: ExhaustedDelivery[] = [];
  let scheduled = false;
  let paced: NodeJS.Timeout | undefined;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let chain: Promise<void> = Promise.resolve();

  function fire(): void {
    if (paced !== undefined) clearTimeout(paced);
    paced = undefined;
    scheduled = false;
    chain = chain.then(write);
  }

  function schedule(urgent: boolean): void {
    if (retry.waiting()) return;
    if (scheduled) {
      // A full batch, or one a key waits on, does not wait out the pace.
      if (paced !== undefined && (urgent || results.length >= MAX_BATCH)) {
        clearTimeout(paced);
        paced = undefined;
        setImmediate(fire);
      }
      return;
    }
    scheduled = true;
    const wait = lastWrite + PACE_MS - options.clock();
    if (wait <= 0 || urgent || results.length >= MAX_BATCH) setImmediate(fire);
    else paced = setTimeout(fire, wait);
  }

  async function write(): Promise<void> {
    if (results.length === 0) return;
    const batch = results;
    const ranOut = exhausted;
    results = [];
    exhausted = [];
    lastWrite = options.clock();
    let changes: HealthChange[];
    try {
      changes = await options.store.recordResults(batch, options.clock(), options.ladder);
    } catch (error) {
      results = batch.concat(results);
      exhausted = ranOut.concat(exhausted);
      retry.failed(error, () => schedule(false));
      return;
    }
    retry.ok();
    options.onRecorded(batch, changes, ranOut);
  }

  return {
    add(result, ranOut) {
      results.push(result);
      if (ranOut !== undefined) exhausted.push(ranOut);
      // Only a keyed delivery that leaves for good frees its key; a retry still holds it.
      schedule(result.ordered === true && result.nextAttemptAt === null);
    },
    retryNow: () => retry.now(),
    async flush() {
      retry.cancel();
      if (paced !== undefined) clearTimeout(paced);
      paced = undefined;
      scheduled = false;
      chain = chain.then(write);
      await chain;
    },
  };
}
