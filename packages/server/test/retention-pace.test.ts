import { describe, expect, it } from "vitest";
import { createRetention } from "../src/maintenance/retention.ts";
import { dutyAt, pauseAfterBatch } from "../src/maintenance/retention-pace.ts";
import type { PruneBatch, Store } from "../src/store/types.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const MINUTE = 60_000;

/**
 * A store whose every batch takes `batchMs` of a fake clock and deletes 100 events, `batches`
 * times; the retention under test rests on the same clock, recording each rest.
 */
function pacedRetention(options: { batches: number; batchMs: number; dutyCycle?: number }) {
  let t = 0;
  let left = options.batches;
  const rests: number[] = [];
  const store = {
    async pruneBefore(): Promise<PruneBatch> {
      t += options.batchMs;
      left--;
      return {
        events: 100,
        deliveries: 100,
        attempts: 100,
        idempotencyKeys: 0,
        next: left > 0 ? options.batches - left : undefined,
      };
    },
  } as unknown as Store;
  const retention = createRetention({
    store,
    retentionMs: MINUTE,
    clock: () => 0,
    log: silent,
    intervalMs: MINUTE,
    batchTargetMs: options.batchMs,
    ...(options.dutyCycle === undefined ? {} : { dutyCycle: options.dutyCycle }),
    now: () => t,
    async sleep(ms) {
      rests.push(ms);
      t += ms;
    },
  });
  return { retention, rests, elapsed: () => t };
}

describe("retention pacing", () => {
  it("rests after each batch so that batches fill the duty cycle's share of the pass", async () => {
    const { retention, rests } = pacedRetention({ batches: 5, batchMs: 50, dutyCycle: 0.1 });
    const totals = await retention.runOnce();
    expect(totals).toMatchObject({ events: 500, batches: 5 });
    // 50 ms of work, 450 ms of rest: 10%. No rest after the last batch.
    expect(rests).toEqual([450, 450, 450, 450]);
  });

  it("speeds up a pass still running when the next was due: its duty doubles every interval", async () => {
    const { retention, rests, elapsed } = pacedRetention({
      batches: 2_000,
      batchMs: 50,
      dutyCycle: 0.1,
    });
    await retention.runOnce();
    // First minute 10% (450 ms rests), then 20% (200), 40% (75), 80% (12.5), then none.
    expect([...new Set(rests)]).toEqual([450, 200, 75, 12.5]);
    expect(rests.filter((ms) => ms === 450)).toHaveLength(120);
    // 2,000 batches of 50 ms: 100 s of work, in about 4 minutes where 10% throughout is 1,000 s.
    expect(elapsed()).toBeLessThan(5 * MINUTE);
    expect(dutyAt(4 * MINUTE, { dutyCycle: 0.1, intervalMs: MINUTE })).toBe(1);
  });

  it("runs batches back to back by default, as on SQLite", async () => {
    const { retention, rests } = pacedRetention({ batches: 5, batchMs: 50 });
    expect(await retention.runOnce()).toMatchObject({ batches: 5 });
    expect(rests).toEqual([]);
  });

  it("is stopped during a rest without waiting for it", async () => {
    let t = 0;
    const store = {
      async pruneBefore(): Promise<PruneBatch> {
        t += 50;
        return { events: 1, deliveries: 1, attempts: 1, idempotencyKeys: 0, next: t };
      },
    } as unknown as Store;
    let resting: (() => void) | undefined;
    const retention = createRetention({
      store,
      retentionMs: MINUTE,
      clock: () => 0,
      log: silent,
      dutyCycle: 0.01,
      now: () => t,
      // A rest that only ends when stop() aborts it.
      sleep: (_ms, signal) =>
        new Promise((resolve) => {
          resting?.();
          signal.addEventListener("abort", () => resolve(), { once: true });
        }),
    });
    const rested = new Promise<void>((resolve) => {
      resting = resolve;
    });
    const pass = retention.runOnce();
    await rested;
    await retention.stop();
    expect(await pass).toMatchObject({ batches: 1 });
  });

  it("never rests at a duty cycle of 1, and rests k times a batch's time at 1/(k+1)", () => {
    const options = { dutyCycle: 1, intervalMs: MINUTE };
    expect(pauseAfterBatch(80, 0, options)).toBe(0);
    expect(pauseAfterBatch(80, 0, { ...options, dutyCycle: 0.2 })).toBe(320);
    expect(pauseAfterBatch(80, MINUTE - 1, { ...options, dutyCycle: 0.2 })).toBe(320);
    expect(pauseAfterBatch(80, MINUTE, { ...options, dutyCycle: 0.2 })).toBe(120);
  });
});
