import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createStoreRetry } from "../src/dispatch/store-retry.ts";
import { StoreFailure, StoreUnavailableError } from "../src/store/errors.ts";

function recordingLog() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: object, msg: string) => lines.push({ level, msg });
  return {
    lines,
    log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  };
}

describe("a loop's retry while the store is away", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("backs off doubling to its cap, with jitter, and logs one line down and one back", async () => {
    const { lines, log } = recordingLog();
    const retry = createStoreRetry(log, "claiming", {
      firstMs: 100,
      maxMs: 1_000,
      random: () => 0.5,
    });
    const waits: number[] = [];
    let last = Date.now();
    const fail = () =>
      retry.failed(new Error("connection refused"), () => {
        waits.push(Date.now() - last);
        last = Date.now();
        if (waits.length < 6) fail();
      });
    fail();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    retry.ok();
    expect(lines).toEqual([
      { level: "error", msg: "claiming failed; retrying with backoff" },
      { level: "info", msg: "claiming works again" },
    ]);
  });

  it("leaves an outage the store recognised to the store's own log line, and retries at once when told", async () => {
    const { lines, log } = recordingLog();
    const retry = createStoreRetry(log, "recording", { firstMs: 5_000 });
    let retried = 0;
    retry.failed(new StoreUnavailableError(StoreFailure.unavailable, new Error("x")), () => {
      retried++;
    });
    expect(retry.waiting()).toBe(true);
    retry.now();
    expect([retried, retry.waiting()]).toEqual([1, false]);
    expect(lines.map((l) => l.level)).toEqual(["debug"]);
  });
});
