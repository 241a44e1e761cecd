import type { StoreFailure } from "./errors.ts";

/** `up`, or why the store is refusing calls. */
export type StoreState = "up" | StoreFailure;

export interface AvailabilityObserver {
  /** Every call refused for a passing cause (for a counter). */
  failed?(kind: StoreFailure): void;
  /**
   * The store went away (`state` says why, `cause` is the driver's error that told) or came
   * back (`up`, after `downMs`).
   */
  changed?(state: StoreState, downMs: number, cause?: unknown): void;
}

export interface Availability {
  state(): StoreState;
  /** A call failed for a passing cause; `cause` is the driver's error. */
  failed(kind: StoreFailure, cause?: unknown): void;
  /** A call succeeded; `wrote` when it is known to have written (only that ends `disk_full`). */
  succeeded(wrote: boolean): void;
  observe(observer: AvailabilityObserver): void;
}

/**
 * Whether the store is up, as its calls tell: the first refused call takes it down, and it is
 * back once a call succeeds `settleMs` after the last refusal. That settle time keeps a flapping
 * store (a disk with a few pages free, a pool where some clients still hold dead sockets) to
 * one "down" and one "back" instead of a line per call. A full disk still serves reads, so only
 * a call that wrote ends `disk_full`.
 */
export function createAvailability(
  options: { now?: () => number; settleMs?: number } = {},
): Availability {
  const now = options.now ?? (() => performance.now());
  const settleMs = options.settleMs ?? 1000;
  const observers: AvailabilityObserver[] = [];
  let state: StoreState = "up";
  let downSince = 0;
  let lastFailure = Number.NEGATIVE_INFINITY;

  const change = (next: StoreState, cause?: unknown) => {
    state = next;
    const downMs = now() - downSince;
    for (const o of observers) o.changed?.(next, downMs, cause);
  };

  return {
    state: () => state,
    failed(kind, cause) {
      lastFailure = now();
      for (const o of observers) o.failed?.(kind);
      if (state === "up") downSince = lastFailure;
      if (state !== kind) change(kind, cause);
    },
    succeeded(wrote) {
      if (state === "up" || (state === "disk_full" && !wrote)) return;
      if (now() - lastFailure < settleMs) return;
      change("up");
    },
    observe(observer) {
      observers.push(observer);
    },
  };
}
