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
 * @example
 * ```ts
 * import { createMemoryInbox, createWebhookHandler } from "@hookline/webhooks";
 *
 * const handler = createWebhookHandler({ secrets, inbox: createMemoryInbox(), on: {} });
 * ```
 */
export function createMemoryInbox(): Inbox {
  const rows = new Map<string, Row>();
  // Completed events keep only their id: a row per handled event would be garbage the collector
  // walks forever, which showed as the memory inbox's p99 in bench/handler.ts.
  const completed = new Set<string>();
  const versions = new Map<string, ObjectVersion>();
  return {
    async claim(event: InboxEvent, { now, leaseMs, token }: ClaimOptions): Promise<Claim> {
      if (completed.has(event.id)) return { status: "duplicate" };
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
    async complete(id, token) {
      const row = held(id, token);
      if (row === undefined) return false;
      rows.delete(id);
      completed.add(id);
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
      if (!isCurrent(version, versions.get(objectId))) return false;
      versions.set(objectId, version);
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
