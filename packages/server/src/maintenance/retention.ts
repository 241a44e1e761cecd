import type { Logger } from "../dispatch/dispatcher.ts";
import { StoreUnavailableError } from "../store/errors.ts";
import type { Store } from "../store/types.ts";

/**
 * Rollup rows folded per transaction: ~175 µs of PostgreSQL's time each here (loaded machine),
 * so a batch holds its rows' locks for about 90 ms; the thread only awaits it.
 */
const COMPACT_BATCH = 500;

export interface RetentionOptions {
  store: Store;
  /** Events created longer ago than this are pruned once their deliveries are finished. */
  retentionMs: number;
  clock: () => number;
  log: Logger;
  /** Pause between passes. Default 1 min. */
  intervalMs?: number;
  /** Most events examined per batch (one write transaction). Default 500. */
  batchSize?: number;
  /** The pause one batch may cause; batches shrink to stay near it. Default 10 ms. */
  batchTargetMs?: number;
}

/** What a pass deleted, in how many batches. */
export interface PruneTotals {
  events: number;
  deliveries: number;
  attempts: number;
  idempotencyKeys: number;
  batches: number;
}

export interface Retention {
  /** Runs a pass now, then one every `intervalMs` after the previous pass ends. */
  start(): void;
  /** One whole pass, oldest events first; resolves once it reached the retention window. */
  runOnce(): Promise<PruneTotals>;
  /** No new batch starts; resolves once the batch running, if any, has committed. */
  stop(): Promise<void>;
}

/**
 * How hard a pass may push, by store. On SQLite a batch runs on the thread the dispatcher and the
 * API share, so it stays near 10 ms. On PostgreSQL the thread only awaits, and a batch costs five
 * or six round trips whatever its size: 10 ms batches shrank to ~90 events. Measured with
 * bench/history.ts (200,000 expired events beside one-event ingest every 5 ms, quiet machine):
 * 8,400 events/s, ingest p99 9.7 ms, at 10 ms; 22,700/s, p99 13 ms, at 50 ms; 23,900/s, p99
 * 29 ms, at 250 ms. Its batches lock only finished rows nobody else writes and expired keys.
 */
export function retentionPacing(store: "sqlite" | "postgres"): {
  batchSize: number;
  batchTargetMs: number;
} {
  return store === "postgres"
    ? { batchSize: 2_000, batchTargetMs: 50 }
    : { batchSize: 500, batchTargetMs: 10 };
}

/**
 * Retention: deletes what is older than the window, so the database stops growing under a steady
 * load (SQLite reuses the freed pages). The work is cut into batches of at most a few hundred
 * events, each its own short transaction, with a turn of the event loop between them: the
 * dispatcher and the API, which share this thread and this connection, wait for one batch at
 * most (about `batchTargetMs`), never for a whole pass.
 */
export function createRetention(options: RetentionOptions): Retention {
  const { store, log, clock } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const batchSize = options.batchSize ?? 500;
  const targetMs = options.batchTargetMs ?? 10;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  // Kept from pass to pass: what the last batch measured is the best guess for the next.
  let limit = batchSize;

  async function pass(): Promise<PruneTotals> {
    const totals: PruneTotals = {
      events: 0,
      deliveries: 0,
      attempts: 0,
      idempotencyKeys: 0,
      batches: 0,
    };
    // One cutoff per pass: events that age meanwhile wait for the next pass.
    const cutoff = clock() - options.retentionMs;
    const startedAt = Date.now();
    await compact();
    let after: number | undefined;
    do {
      if (stopping) break;
      const batchStart = performance.now();
      const batch = await store.pruneBefore(cutoff, { limit, after });
      // Events fan out to any number of deliveries and attempts, so a fixed count of events is
      // no bound on the pause: measured, 500 events with 2 deliveries and 4 attempts each took
      // 20-55 ms here. Size the next batch on this one's time (real time: the injected clock is
      // about retention's window, not about how long the thread was held).
      const tookMs = Math.max(performance.now() - batchStart, 0.1);
      limit = Math.min(batchSize, Math.max(10, Math.round((limit * targetMs) / tookMs)));
      totals.events += batch.events;
      totals.deliveries += batch.deliveries;
      totals.attempts += batch.attempts;
      totals.idempotencyKeys += batch.idempotencyKeys;
      totals.batches++;
      after = batch.next;
      // A resolved promise is a microtask and would let nothing else run: setImmediate lets
      // pending I/O (requests, attempt outcomes) through before the next batch.
      if (after !== undefined) await new Promise((resolve) => setImmediate(resolve));
    } while (after !== undefined);
    if (totals.events + totals.idempotencyKeys > 0) {
      log.info(
        {
          events: totals.events,
          deliveries: totals.deliveries,
          attempts: totals.attempts,
          idempotency_keys: totals.idempotencyKeys,
          batches: totals.batches,
          cutoff: new Date(cutoff).toISOString(),
          duration_ms: Date.now() - startedAt,
        },
        "retention: pruned old events",
      );
    }
    return totals;
  }

  // The charts' past minutes, folded to a row each (Store.compactRollups), a batch at a time as
  // the pruning is, before the pass prunes. Two minutes back: the recorder and ingest write the
  // minute they are in, so the fold rarely meets a writer.
  async function compact(): Promise<void> {
    if (store.compactRollups === undefined) return;
    while (!stopping) {
      const folded = await store.compactRollups(clock() - 2 * 60_000, COMPACT_BATCH);
      if (folded < COMPACT_BATCH) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  function runOnce(): Promise<PruneTotals> {
    // Passes never overlap: a pass started while one runs waits for it.
    const next = current.then(pass);
    current = next.catch(() => undefined);
    return next;
  }

  function schedule(): void {
    if (stopping) return;
    timer = setTimeout(() => {
      timer = undefined;
      void tick();
    }, intervalMs);
    // Retention never keeps the process alive on its own.
    timer.unref();
  }

  async function tick(): Promise<void> {
    try {
      await runOnce();
    } catch (error) {
      // A failed batch rolled back; the next pass starts over from the oldest event. A store
      // that is away is logged once, by the store (serve.ts), not again by every loop using it.
      if (!(error instanceof StoreUnavailableError))
        log.error({ err: error }, "retention: pruning failed; trying again at the next pass");
    }
    schedule();
  }

  return {
    start() {
      stopping = false;
      void tick();
    },
    runOnce,
    async stop() {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await current;
    },
  };
}
