import type { Logger } from "../dispatch/dispatcher.ts";
import { StoreUnavailableError } from "../store/errors.ts";
import type { Store } from "../store/types.ts";
import { pauseAfterBatch } from "./retention-pace.ts";

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
  /**
   * Share of a pass's time spent in batches; the pass rests in between (retention-pace.ts).
   * Default 1: batches back to back, a turn of the event loop apart.
   */
  dutyCycle?: number;
  /** Monotonic ms that batches are timed with. Default `performance.now`. */
  now?: () => number;
  /** Waits `ms`, or less once `signal` aborts (stop). Default a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
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
 * PostgreSQL's pass works 2% of its time and rests 49 times each batch's time after it
 * (retention-pace.ts). Flat out, its deletes, the autovacuum after them and the WAL each ingest
 * commit's flush carries took one of this machine's two cores from ingest: ingest p99 2.5-3.3× that
 * without it in five runs, 1.50-2.12× in three later that day, against issue 21's 2×. A pass need
 * only keep pace with what ages out, on average the ingest rate of a window ago (a day of a million
 * events is 12 events/s). Measured with `npx tsx bench/history.ts --stores=postgres
 * --retention-only --expired=200000 --window=60` (p99 of one-event ingests over the pass's first 60
 * s against 60 s before it, the loaded 2-core machine): a duty of 0.02 deleted 144-175 events/s at
 * 0.90-1.10× (five runs); 0.1 deleted 576-1,038/s at 1.09-2.19× (six runs, one over 2×: a tenth of
 * the ingests meet a batch, so the p99 is theirs); 0.2 1,717/s at 1.39×. At 0.02 that sustains
 * about 13 million events expiring a day here, a thousand times what a million a day needs. Past
 * that (PostgreSQL takes 1,000-1,500 events/s through the API here) a pass outlasts the one-minute
 * interval, and its duty doubles every further minute (0.04, 0.08, … 0.64, then batches back to
 * back: 6,300-9,200 events/s this session), so it catches up within minutes rather than falling
 * behind pass after pass. Measured once, a backlog of a million expired at once (as after
 * shortening the window) went in 28 minutes, 601 events/s on average, with ingest p99 1.69× that
 * without it (`--expired=1000000`, whole pass): the escalation stayed far below back to back (why
 * is not looked into).
 */
const POSTGRES_DUTY_CYCLE = 0.02;

/**
 * How hard a pass may push, by store. On SQLite a batch runs on the thread the dispatcher and the
 * API share, so it stays near 10 ms, and batches run back to back: SQLite meets the 2× bar so
 * (docs/benchmarks.md). On PostgreSQL the thread only awaits, and a batch costs five or six
 * round trips whatever its size: 10 ms batches shrank to ~90 events. Measured with
 * bench/history.ts (200,000 expired events beside one-event ingest every 5 ms, quiet machine,
 * back to back): 8,400 events/s, ingest p99 9.7 ms, at 10 ms; 22,700/s, p99 13 ms, at 50 ms;
 * 23,900/s, p99 29 ms, at 250 ms. Its batches lock only finished rows nobody else writes and
 * expired keys.
 */
export function retentionPacing(store: "sqlite" | "postgres"): {
  batchSize: number;
  batchTargetMs: number;
  dutyCycle: number;
} {
  return store === "postgres"
    ? { batchSize: 2_000, batchTargetMs: 50, dutyCycle: POSTGRES_DUTY_CYCLE }
    : { batchSize: 500, batchTargetMs: 10, dutyCycle: 1 };
}

/**
 * Retention: deletes what is older than the window, so the database stops growing under a steady
 * load (SQLite reuses the freed pages). The work is cut into batches of at most a few hundred
 * events, each its own short transaction, with a turn of the event loop between them (and on
 * PostgreSQL a rest, `dutyCycle`): the dispatcher and the API, which share this thread and this
 * connection, wait for one batch at most (about `batchTargetMs`), never for a whole pass.
 */
export function createRetention(options: RetentionOptions): Retention {
  const { store, log, clock } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const batchSize = options.batchSize ?? 500;
  const targetMs = options.batchTargetMs ?? 10;
  const pace = { dutyCycle: options.dutyCycle ?? 1, intervalMs };
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? sleepUnlessAborted;
  // Aborted by stop(), so that a rest between batches does not hold it up.
  let resting = new AbortController();
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
    const passStart = now();
    await compact();
    let after: number | undefined;
    do {
      if (stopping) break;
      const batchStart = now();
      const batch = await store.pruneBefore(cutoff, { limit, after });
      // Events fan out to any number of deliveries and attempts, so a fixed count of events is
      // no bound on the pause: measured, 500 events with 2 deliveries and 4 attempts each took
      // 20-55 ms here. Size the next batch on this one's time (real time: the injected clock is
      // about retention's window, not about how long the thread was held).
      const batchEnd = now();
      const tookMs = Math.max(batchEnd - batchStart, 0.1);
      limit = Math.min(batchSize, Math.max(10, Math.round((limit * targetMs) / tookMs)));
      totals.events += batch.events;
      totals.deliveries += batch.deliveries;
      totals.attempts += batch.attempts;
      totals.idempotencyKeys += batch.idempotencyKeys;
      totals.batches++;
      after = batch.next;
      if (after === undefined) break;
      const pauseMs = pauseAfterBatch(tookMs, batchEnd - passStart, pace);
      // A resolved promise is a microtask and would let nothing else run: setImmediate lets
      // pending I/O (requests, attempt outcomes) through before the next batch.
      if (pauseMs > 0) await sleep(pauseMs, resting.signal);
      else await new Promise((resolve) => setImmediate(resolve));
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
      resting = new AbortController();
      void tick();
    },
    runOnce,
    async stop() {
      stopping = true;
      resting.abort();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await current;
      resting = new AbortController();
    },
  };
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
