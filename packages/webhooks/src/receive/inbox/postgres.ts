import pg from "pg";
import { decideClaim } from "./decide-claim.ts";
import type { Claim, ClaimedEvent, Inbox, InboxState } from "./inbox.ts";

// Run as one simple-protocol query, which is one implicit transaction: the advisory lock keeps
// several nodes starting at once from racing on CREATE TABLE IF NOT EXISTS.
const SCHEMA = `
SELECT pg_advisory_xact_lock(hashtext('hookline_inbox_schema'));
CREATE TABLE IF NOT EXISTS hookline_inbox (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  token TEXT,
  available_at BIGINT NOT NULL,
  last_error TEXT,
  received_at BIGINT NOT NULL,
  completed_at BIGINT
);
CREATE INDEX IF NOT EXISTS hookline_inbox_due ON hookline_inbox (available_at)
  WHERE state <> 'completed';
CREATE TABLE IF NOT EXISTS hookline_object_versions (
  object_id TEXT PRIMARY KEY,
  created BIGINT NOT NULL,
  sequence BIGINT NOT NULL
);`;

// A concurrent insert of the same id makes this wait for the other transaction, then take the
// ON CONFLICT path with the row locked: so exactly one of simultaneous claims gets a row back.
const CLAIM = `
INSERT INTO hookline_inbox (id, type, payload, state, attempts, token, available_at, received_at)
VALUES ($1, $2, $3, 'processing', 1, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET state = 'processing', attempts = hookline_inbox.attempts + 1,
  token = EXCLUDED.token, available_at = EXCLUDED.available_at
WHERE hookline_inbox.state <> 'completed' AND hookline_inbox.available_at <= $6
RETURNING attempts`;

const CLAIM_DUE = `
UPDATE hookline_inbox SET state = 'processing', attempts = attempts + 1, token = $1,
  available_at = $2
WHERE id IN (SELECT id FROM hookline_inbox WHERE state <> 'completed' AND available_at <= $3
  AND attempts < $4 ORDER BY available_at LIMIT $5 FOR UPDATE SKIP LOCKED)
RETURNING id, type, payload, token, attempts AS attempt`;

const ADVANCE = `
INSERT INTO hookline_object_versions (object_id, created, sequence) VALUES ($1, $2, $3)
ON CONFLICT (object_id) DO UPDATE SET created = EXCLUDED.created, sequence = EXCLUDED.sequence
WHERE (EXCLUDED.created, EXCLUDED.sequence) >=
  (hookline_object_versions.created, hookline_object_versions.sequence)`;

/**
 * An inbox in PostgreSQL, through `pg` (an optional peer dependency: install it in your app).
 * Pass a connection string or a `pg.Pool` your app already has; the tables (`hookline_inbox`,
 * `hookline_object_versions`) are created if missing. Several processes and nodes may share it:
 * claims are one atomic upsert, due events are taken with `FOR UPDATE SKIP LOCKED`.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from "@hookline/webhooks";
 * import { createPostgresInbox } from "@hookline/webhooks/inbox/postgres";
 *
 * const inbox = await createPostgresInbox(process.env.DATABASE_URL!);
 * const handler = createWebhookHandler({ secrets, inbox, mode: "ack-first", on: {} });
 * ```
 */
export async function createPostgresInbox(database: string | pg.Pool): Promise<Inbox> {
  if (typeof database !== "string" && typeof database?.query !== "function") {
    throw new TypeError("createPostgresInbox needs a connection string or a pg Pool");
  }
  const owned = typeof database === "string";
  const pool = owned ? new pg.Pool({ connectionString: database }) : database;
  try {
    await pool.query(SCHEMA);
  } catch (error) {
    if (owned) await pool.end();
    throw error;
  }

  return {
    async claim(event, { now, leaseMs, token }): Promise<Claim> {
      const params = [event.id, event.type, event.payload, token, now + leaseMs, now];
      const taken = await pool.query<{ attempts: number }>(CLAIM, params);
      if (taken.rows[0] !== undefined) return { status: "new", attempt: taken.rows[0].attempts };
      const read = await pool.query<{ state: InboxState; attempts: number; available_at: string }>(
        "SELECT state, attempts, available_at FROM hookline_inbox WHERE id = $1",
        [event.id],
      );
      const row = read.rows[0];
      const claim = row && decideClaim({ ...row, availableAt: Number(row.available_at) }, now);
      if (claim !== undefined && claim.status !== "new") return claim;
      // The row changed between the two statements (its holder failed meanwhile, or its insert
      // is not visible yet): asking the sender to come back shortly is always safe.
      return { status: "in_progress", retryAt: now + 1000 };
    },
    async complete(id, token, { now }) {
      const result = await pool.query(
        "UPDATE hookline_inbox SET state = 'completed', token = NULL, last_error = NULL, completed_at = $3 WHERE id = $1 AND token = $2 AND state = 'processing'",
        [id, token, now],
      );
      return result.rowCount === 1;
    },
    async fail(id, token, { retryAt, error }) {
      const result = await pool.query(
        "UPDATE hookline_inbox SET state = 'failed', token = NULL, available_at = $3, last_error = $4 WHERE id = $1 AND token = $2 AND state = 'processing'",
        [id, token, retryAt, error],
      );
      return result.rowCount === 1;
    },
    async claimDue({ now, leaseMs, token, maxAttempts, limit }) {
      const result = await pool.query<ClaimedEvent>(CLAIM_DUE, [
        token,
        now + leaseMs,
        now,
        maxAttempts,
        limit,
      ]);
      return result.rows;
    },
    async advance(objectId, { created, sequence }) {
      const result = await pool.query(ADVANCE, [objectId, created, sequence]);
      return result.rowCount === 1;
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
