import type { CreateEventResult, ListOptions, NewEventRows, Page } from "./types.ts";

// The transactional outbox (docs/outbox.md): rows an application wrote in its own transaction,
// each turned into an event by a Hookline node in the transaction that removes it. PostgreSQL
// only; apart from Store so that a backend without it says so by not having it.

/** A row as the application wrote it; `data` is whatever JSON it holds, unchecked. */
export interface OutboxRow {
  /** The table's sequence: rows are taken in this order. */
  id: number;
  tenantId: string;
  type: string;
  data: unknown;
  idempotencyKey: string | null;
  orderingKey: string | null;
  createdAt: number;
  /** Relays of this row that failed unexpectedly (not its content: that sets it aside at once). */
  attempts: number;
}

/** The API's error object (`{type, code, message, param?}`), kept with a row set aside. */
export interface OutboxError {
  type: string;
  code: string;
  message: string;
  param?: string | undefined;
}

/** A row set aside: never taken again, listed by the API until someone deletes it. */
export interface OutboxFailureRow extends OutboxRow {
  error: OutboxError;
  failedAt: number;
}

/** What the relay makes of the rows it took: an event for each row, or the row's error. */
export interface OutboxDecision {
  /** `conflict`: the row's error should its idempotency key turn out used with another body. */
  relay: { id: number; rows: NewEventRows; conflict: OutboxError }[];
  refuse: { id: number; error: OutboxError }[];
}

export interface OutboxStore {
  /**
   * Takes up to `limit` waiting rows (oldest first, skipping rows another node holds), asks
   * `decide` what each becomes, and in the same transaction inserts the events, deletes their
   * rows and sets the refused ones aside. A row whose idempotency key was used with another
   * body is set aside too; one whose key replays an event is deleted (the event exists).
   * `results` are those of `decision.relay`, in order. Nothing happens unless it all commits.
   */
  relayOutbox(
    limit: number,
    now: number,
    decide: (rows: OutboxRow[]) => Promise<OutboxDecision>,
  ): Promise<{ taken: number; results: CreateEventResult[] }>;
  /**
   * Counts a failed relay of this one row against it; at `maxAttempts` the row is set aside
   * with `error`, so one row that breaks the relay never holds back the rows behind it.
   */
  countOutboxFailure(
    id: number,
    error: OutboxError,
    now: number,
    maxAttempts: number,
  ): Promise<void>;
  /**
   * Puts a row set aside back in line (its error and attempts cleared) and wakes the relays.
   * `false` when no row with this id is set aside.
   */
  retryOutboxFailure(id: number): Promise<boolean>;
  /** Deletes a row set aside; `false` when no row with this id is set aside. */
  deleteOutboxFailure(id: number): Promise<boolean>;
  /** Rows set aside, newest first (cursor: the row's id). */
  listOutboxFailures(options: ListOptions): Promise<Page<OutboxFailureRow>>;
  /** Calls `listener` when an application committed rows (NOTIFY), or the listener reconnected. */
  onOutboxRows(listener: () => void): () => void;
}

/** The store's outbox when its backend has one. */
export function outboxStoreOf(store: object): OutboxStore | undefined {
  return "relayOutbox" in store ? (store as OutboxStore) : undefined;
}
