import { decideClaim, isCurrent } from "./decide-claim.ts";
import {
  type Claim,
  type ClaimDueOptions,
  type ClaimedEvent,
  type ClaimOptions,
  type Inbox,
  type InboxEvent,
  InboxState,
  type ObjectVersion,
} from "./inbox.ts";

/** How long, and how many, handled event ids the memory inbox remembers (see createMemoryInbox). */
export interface MemoryInboxOptions {
  /** Default 3 days. */
  retainMs?: number;
  /** Default 100,000. */
  maxCompleted?: number;
}

const DEFAULT_RETAIN_MS = 3 * 24 * 60 * 60 * 1000;
const DEFAULT_MAX_COMPLETED = 100_000;

interface Row extends InboxEvent {
  state: InboxState;
  attempts: number;
  availableAt: number;
  token: string | undefined;
  lastError: string | undefined;
}

/**
 * An inbox in this process's memory: the default. Duplicates are caught only within one process
 * and everything is forgotten on restart, so use the SQLite or PostgreSQL inbox in production.
 * Every method runs synchronously to completion before it resolves, which is what makes a claim
 * atomic here.
 *
 * It remembers the ids of handled events for `retainMs` (3 days, the length of a sender's retry
 * schedule such as Stripe's or Hookline's) and at most `maxCompleted` of them (100,000, about
 * 8 MB), oldest forgotten first: a long-running process does not grow without bound. A duplicate
 * of a forgotten event runs its handler again, as after a restart. The stale-event guard's
 * newest version of each object is kept under the same bounds, counted from its last change: an
 * older event of a forgotten object is applied, as after a restart.
 *
 * @example
 * ```ts
 * import { createMemoryInbox, createWebhookHandler } from "@hookline/webhooks";
 *
 * const handler = createWebhookHandler({ secrets, inbox: createMemoryInbox(), on: {} });
 * ```
 */
export function createMemoryInbox(options: MemoryInboxOptions = {}): Inbox {
  const retainMs = options.retainMs ?? DEFAULT_RETAIN_MS;
  const maxCompleted = options.maxCompleted ?? DEFAULT_MAX_COMPLETED;
  if (!(retainMs >= 0) || !Number.isInteger(maxCompleted) || maxCompleted < 0) {
    throw new RangeError("createMemoryInbox: retainMs and maxCompleted must be numbers ≥ 0");
  }
  const rows = new Map<string, Row>();
  // Completed events keep only their id and when they completed: a row per handled event would
  // be garbage the collector walks forever, which showed as the memory inbox's p99 in
  // bench/handler.ts. A Map iterates in insertion order, which is completion order: the oldest
  // is always first, so forgetting costs one step per id forgotten.
  const completed = new Map<string, number>();
  // The stale-event guard's newest version per object, in order of last change, under the same
  // bounds: one entry per object ever seen (every customer, every payment) grew without end.
  const versions = new Map<string, { version: ObjectVersion; at: number }>();
  /** The latest `now` the inbox was given: its clock, so an injected clock holds. */
  let latest = Number.NEGATIVE_INFINITY;

  /** Drops the oldest entries past the bounds: first in the Map is oldest. */
  function forget<V>(map: Map<string, V>, at: (value: V) => number): void {
    for (const [key, value] of map) {
      if (map.size <= maxCompleted && at(value) >= latest - retainMs) return;
      map.delete(key);
    }
  }

  return {
    async claim(event: InboxEvent, { now, leaseMs, token }: ClaimOptions): Promise<Claim> {
      latest = Math.max(latest, now);
      const completedAt = completed.get(event.id);
      if (completedAt !== undefined && completedAt >= now - retainMs)
        return { status: "duplicate" };
      const row = rows.get(event.id);
      if (row === undefined) {
        rows.set(event.id, {
          id: event.id,
          type: event.type,
          payload: event.payload,
          state: InboxState.processing,
          attempts: 1,
          availableAt: now + leaseMs,
          token,
          lastError: undefined,
        });
        return { status: "new", attempt: 1 };
      }
      const claim = decideClaim(row, now);
      if (claim.status === "new") take(row, now, leaseMs, token);
      return claim;
    },
    async complete(id, token, { now }) {
      const row = held(id, token);
      if (row === undefined) return false;
      rows.delete(id);
      latest = Math.max(latest, now);
      completed.set(id, now);
      forget(completed, (at) => at);
      return true;
    },
    async fail(id, token, { retryAt, error }) {
      const row = held(id, token);
      if (row === undefined) return false;
      row.state = InboxState.failed;
      row.token = undefined;
      row.availableAt = retryAt;
      row.lastError = error;
      return true;
    },
    async claimDue({ now, leaseMs, token, maxAttempts, limit }: ClaimDueOptions) {
      latest = Math.max(latest, now);
      const due = [...rows.values()]
        .filter((row) => isDue(row, now, maxAttempts))
        .sort((a, b) => a.availableAt - b.availableAt)
        .slice(0, limit);
      return due.map((row): ClaimedEvent => {
        take(row, now, leaseMs, token);
        return { id: row.id, type: row.type, payload: row.payload, token, attempt: row.attempts };
      });
    },
    async advance(objectId, version) {
      const known = versions.get(objectId);
      // A version older than the window is forgotten, as a completed id is in `claim`.
      const current =
        known !== undefined && known.at >= latest - retainMs ? known.version : undefined;
      if (!isCurrent(version, current)) return false;
      // Deleted first so that it goes last: the oldest change stays first, as `forget` needs.
      versions.delete(objectId);
      versions.set(objectId, { version, at: latest });
      forget(versions, (entry) => entry.at);
      return true;
    },
    async close() {},
  };

  function held(id: string, token: string): Row | undefined {
    const row = rows.get(id);
    return row?.state === InboxState.processing && row.token === token ? row : undefined;
  }
}

function take(row: Row, now: number, leaseMs: number, token: string): void {
  row.state = InboxState.processing;
  row.attempts += 1;
  row.availableAt = now + leaseMs;
  row.token = token;
}

function isDue(row: Row, now: number, maxAttempts: number): boolean {
  return row.availableAt <= now && row.attempts < maxAttempts;
}
