import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRecorder, PACE_MS } from "../src/dispatch/recorder.ts";
import { DeliveryStatus } from "../src/domain/delivery-status.ts";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import type { AttemptResult } from "../src/store/types.ts";

// When the recorder writes: at once when idle, then at most once per PACE_MS, except for a
// keyed delivery that leaves flight for good (its key's next delivery waits on that write).
describe("recorder pace", () => {
  let now = 0;
  const batches: string[][] = [];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate"] });
    now = 0;
    batches.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function recorder() {
    return createRecorder({
      store: {
        recordResults: async (batch) => {
          batches.push(batch.map((result) => result.deliveryId));
          return [];
        },
      },
      ladder: DEFAULT_LADDER,
      clock: () => now,
      log: pino({ level: "silent" }),
      onRecorded: () => {},
    });
  }

  function result(
    deliveryId: string,
    ordered: boolean,
    nextAttemptAt: number | null,
  ): AttemptResult {
    return {
      deliveryId,
      endpointId: "we_1",
      status: nextAttemptAt === null ? DeliveryStatus.succeeded : DeliveryStatus.pending,
      attemptCount: 1,
      nextAttemptAt,
      disableEndpoint: false,
      ordered,
      attempt: {
        id: `att_${deliveryId}`,
        deliveryId,
        createdAt: now,
        durationMs: 1,
        statusCode: 200,
        responseBody: null,
        errorKind: null,
        errorMessage: null,
        requestHeaders: {},
        traceParent: null,
      },
    };
  }

  it("paces plain outcomes and keyed retries, and writes a keyed delivery's last outcome at once", async () => {
    const record = recorder();
    record.add(result("d1", false, null));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([["d1"]]);

    now = 1;
    record.add(result("d2", false, null));
    // A keyed delivery that will be retried still holds its key: nothing waits on this write.
    record.add(result("d3", true, 5_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([["d1"]]);

    // A keyed delivery that succeeded frees its key: the batch goes now, not at the pace.
    record.add(result("d4", true, null));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([["d1"], ["d2", "d3", "d4"]]);

    now = 2;
    record.add(result("d5", false, null));
    await vi.advanceTimersByTimeAsync(PACE_MS - 2);
    expect(batches).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([["d1"], ["d2", "d3", "d4"], ["d5"]]);
  });
});
