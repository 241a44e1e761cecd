import type { Event } from "../event.ts";
import type { ClaimedEvent } from "./inbox/inbox.ts";
import type { ResolvedOptions } from "./resolve-options.ts";
import { type HeldEvent, runEvent } from "./run-event.ts";

export interface BackgroundRunner {
  /** Runs an event just claimed by a request, after the response went out. */
  start(held: HeldEvent): void;
  /** Claims and runs every due event: retries whose time came, leases a crash left behind. */
  runDue(): Promise<number>;
  /** Resolves once nothing runs any more, including runs that started meanwhile. */
  drain(): Promise<void>;
  /** Stops the timers; runs already going finish. */
  close(): void;
}

const SWEEP_BATCH = 20;

/**
 * The ack-first side: runs handlers off the request path and retries them. A failed run is
 * written to the inbox with its retry time before anything else, so a retry survives a restart;
 * the in-process timer only makes it prompt. A periodic sweep picks up events whose lease expired
 * (a process died mid-run) and retries left by other processes.
 */
export function createBackgroundRunner(options: ResolvedOptions): BackgroundRunner {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  // A count rather than a Set of the runs: one run per acknowledged event, and adding each
  // promise to a Set and deleting it again cost about 1.3 us a request in a profile of the
  // memory inbox's ack-first (bench/handler/cpu.ts --profile), more than the rest of this file.
  let running = 0;
  let idle: { promise: Promise<void>; resolve(): void } | undefined;
  const finished = () => {
    running -= 1;
    if (running === 0 && idle !== undefined) {
      idle.resolve();
      idle = undefined;
    }
  };

  const track = (work: Promise<unknown>) => {
    running += 1;
    // Runs never reject (runEvent and runDue report their errors); `finished` either way.
    work.then(finished, finished);
  };

  const later = (ms: number) => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void runDue();
    }, ms);
    // Never keep a process alive for a retry: the inbox holds it, the next sweep finds it.
    timer.unref?.();
    timers.add(timer);
  };

  const run = async (held: HeldEvent) => {
    const final = held.attempt >= options.maxAttempts;
    const delay = options.delayMs(held.attempt);
    const outcome = await runEvent(held, options, {
      // After the last attempt only a redelivery (a manual replay) may run it, at once.
      retryAfterMs: final ? 0 : delay,
      final,
    });
    // One ms more: timers run on a monotonic clock, and a timer due in `delay` ms can fire while
    // Date.now() still reads a millisecond short of the retry time the inbox holds.
    if (!outcome.ok && !final) later(delay + 1);
  };

  async function runDue(): Promise<number> {
    if (closed) return 0;
    let claimed: ClaimedEvent[];
    try {
      claimed = await options.inbox.claimDue({
        now: options.now(),
        leaseMs: options.leaseMs,
        token: crypto.randomUUID(),
        maxAttempts: options.maxAttempts,
        limit: SWEEP_BATCH,
      });
    } catch (error) {
      options.onError(error, { stage: "inbox" });
      return 0;
    }
    for (const entry of claimed) {
      const event = JSON.parse(entry.payload) as Event;
      const work = run({ event, token: entry.token, attempt: entry.attempt });
      track(work);
    }
    // A full batch means more may be due.
    if (claimed.length === SWEEP_BATCH) later(0);
    return claimed.length;
  }

  const sweep = setInterval(() => void runDue(), Math.max(1000, options.leaseMs / 2));
  sweep.unref?.();
  // Events a previous process acknowledged but did not finish.
  track(runDue());

  return {
    start(held) {
      track(run(held));
    },
    runDue,
    async drain() {
      while (running > 0) {
        if (idle === undefined) {
          let resolve!: () => void;
          const promise = new Promise<void>((settle) => {
            resolve = settle;
          });
          idle = { promise, resolve };
        }
        await idle.promise;
      }
    },
    close() {
      closed = true;
      clearInterval(sweep);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
