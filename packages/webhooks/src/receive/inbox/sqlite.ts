import Database from "better-sqlite3";
import { decideClaim } from "./decide-claim.ts";
import type { Claim, ClaimedEvent, Inbox, InboxState } from "./inbox.ts";

// One file per statement would scatter a 100-line module; the SQL stays beside its caller.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS hookline_inbox (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  token TEXT,
  available_at INTEGER NOT NULL,
  last_error TEXT,
  received_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX IF NOT EXISTS hookline_inbox_due ON hookline_inbox (available_at)
  WHERE state <> 'completed';
CREATE TABLE IF NOT EXISTS hookline_object_versions (
  object_id TEXT PRIMARY KEY,
  created INTEGER NOT NULL,
  sequence INTEGER NOT NULL
);`;

// The WHERE of the upsert is `decideClaim` in SQL: take the event unless it is completed or
// still unavailable (live lease, retry time not reached).
const CLAIM = `
INSERT INTO hookline_inbox (id, type, payload, state, attempts, token, available_at, received_at)
VALUES (@id, @type, @payload, 'processing', 1, @token, @leaseUntil, @now)
ON CONFLICT (id) DO UPDATE SET state = 'processing', attempts = attempts + 1,
  token = excluded.token, available_at = excluded.available_at
WHERE state <> 'completed' AND available_at <= @now
RETURNING attempts`;

const CLAIM_DUE = `
UPDATE hookline_inbox SET state = 'processing', attempts = attempts + 1, token = @token,
  available_at = @leaseUntil
WHERE id IN (SELECT id FROM hookline_inbox WHERE state <> 'completed' AND available_at <= @now
  AND attempts < @maxAttempts ORDER BY available_at LIMIT @limit)
RETURNING id, type, payload, token, attempts AS attempt`;

export interface SqliteInboxOptions {
  /** Milliseconds to wait for another process's write lock. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * An inbox in a SQLite database, through `better-sqlite3` (an optional peer dependency: install
 * it in your app). Pass a file path, or a `Database` your app already opened; the tables
 * (`hookline_inbox`, `hookline_object_versions`) are created if missing. Claims are one upsert
 * inside an immediate transaction, so they are atomic across threads and processes sharing the
 * file.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from "@hookline/webhooks";
 * import { createSqliteInbox } from "@hookline/webhooks/inbox/sqlite";
 *
 * const inbox = createSqliteInbox("./webhooks.db");
 * const handler = createWebhookHandler({ secrets, inbox, on: {} });
 * ```
 */
export function createSqliteInbox(
  database: string | Database.Database,
  options: SqliteInboxOptions = {},
): Inbox {
  if (typeof database !== "string" && typeof database?.prepare !== "function") {
    throw new TypeError("createSqliteInbox needs a file path or a better-sqlite3 Database");
  }
  const owned = typeof database === "string";
  const db = owned ? new Database(database) : database;
  if (owned) {
    db.pragma("journal_mode = WAL");
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  }
  db.exec(SCHEMA);

  const claimRow = db.prepare<Record<string, unknown>, { attempts: number }>(CLAIM);
  const readRow = db.prepare<
    [string],
    { state: InboxState; attempts: number; available_at: number }
  >("SELECT state, attempts, available_at FROM hookline_inbox WHERE id = ?");
  const completeRow = db.prepare(
    "UPDATE hookline_inbox SET state = 'completed', token = NULL, last_error = NULL, completed_at = @now WHERE id = @id AND token = @token AND state = 'processing'",
  );
  const failRow = db.prepare(
    "UPDATE hookline_inbox SET state = 'failed', token = NULL, available_at = @retryAt, last_error = @error WHERE id = @id AND token = @token AND state = 'processing'",
  );
  const claimDue = db.prepare<Record<string, unknown>, ClaimedEvent>(CLAIM_DUE);
  const advance = db.prepare(
    "INSERT INTO hookline_object_versions (object_id, created, sequence) VALUES (@objectId, @created, @sequence) ON CONFLICT (object_id) DO UPDATE SET created = excluded.created, sequence = excluded.sequence WHERE (excluded.created, excluded.sequence) >= (created, sequence)",
  );

  // IMMEDIATE takes the write lock first, so the read that explains a refused claim sees the
  // row exactly as the upsert did, even with other processes on the file.
  const claim = db.transaction(
    (params: Record<string, unknown> & { id: string; now: number }): Claim => {
      const taken = claimRow.get(params);
      if (taken !== undefined) return { status: "new", attempt: taken.attempts };
      const row = readRow.get(params.id)!;
      return decideClaim({ ...row, availableAt: row.available_at }, params.now);
    },
  ).immediate;

  return {
    async claim(event, { now, leaseMs, token }) {
      return claim({ ...event, token, now, leaseUntil: now + leaseMs });
    },
    async complete(id, token, { now }) {
      return completeRow.run({ id, token, now }).changes === 1;
    },
    async fail(id, token, { retryAt, error }) {
      return failRow.run({ id, token, retryAt, error }).changes === 1;
    },
    async claimDue({ now, leaseMs, token, maxAttempts, limit }) {
      return claimDue.all({ now, leaseUntil: now + leaseMs, token, maxAttempts, limit });
    },
    async advance(objectId, { created, sequence }) {
      return advance.run({ objectId, created, sequence }).changes === 1;
    },
    async close() {
      if (owned) db.close();
    },
  };
}
