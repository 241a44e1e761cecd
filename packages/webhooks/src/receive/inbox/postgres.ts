import pg from "pg";
import { createBatchStatement } from "./batch-statement.ts";
import { type ClaimedRow, claimFromRow, claimSql } from "./claim-sql.ts";
import type { ClaimedEvent, ClaimOptions, Inbox, InboxEvent } from "./inbox.ts";

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

// Joined into a statement whose commit need not wait for the WAL flush: SET LOCAL
// synchronous_commit = off for its own implicit transaction only (set_config's `true`), read
// by PostgreSQL at commit, so one statement and one round trip still. What it risks: a crash of
// the database server (or its machine) in the next ~200 ms (3 × wal_writer_delay) forgets the
// write; it never reorders or corrupts. Used where that only means an event runs again.
const ASYNC_COMMIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit";

// One statement for a batch of claims: the arrays are the rows, unnest zips them. A concurrent
// insert of the same id (another node) makes this wait for that transaction, then take the
// ON CONFLICT path with the row locked: so exactly one of simultaneous claims takes the event.
const claimRows = (from: string) =>
  claimSql(`SELECT id, type, payload, 'processing', 1, token, lease_until, now
FROM ${from}`);
const CLAIM_ROWS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
  AS claim (id, type, payload, token, lease_until, now)`;
/** Ack-first answers 202 on these: committed with the server's own durability. */
const CLAIM = claimRows(CLAIM_ROWS);
/** Inline answers only after the handler and the completion: a lost claim is a redelivery. */
const CLAIM_ASYNC = claimRows(`${CLAIM_ROWS}, ${ASYNC_COMMIT}`);

// A lost completion leaves the event processing until its lease ends: it runs again then, at
// least once, as after a crash between the handler and the completion.
const COMPLETE = `
UPDATE hookline_inbox SET state = 'completed', token = NULL, last_error = NULL,
  completed_at = done.now
FROM unnest($1::text[], $2::text[], $3::bigint[]) AS done (id, token, now), ${ASYNC_COMMIT}
WHERE hookline_inbox.id = done.id AND hookline_inbox.token = done.token
  AND hookline_inbox.state = 'processing'
RETURNING hookline_inbox.id`;

// A lost failure likewise: the event is retried when its lease ends instead of at retryAt.
const FAIL = `
UPDATE hookline_inbox SET state = 'failed', token = NULL, available_at = $3, last_error = $4
FROM ${ASYNC_COMMIT}
WHERE id = $1 AND token = $2 AND state = 'processing'`;

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
 * claims are one atomic upsert, due events are taken with `FOR UPDATE SKIP LOCKED`. The claims
 * (and the completions) of concurrent requests go out as one statement, one commit for all.
 *
 * Durability: an ack-first claim is committed with the server's own setting. With
 * `synchronous_commit = on` (PostgreSQL's default) it resolves, and ack-first answers 202, only
 * once its commit is flushed to the server's WAL, so the event survives a crash of this process,
 * of the database server and a power loss there. (With the server set to `off`, the last few
 * hundred milliseconds of claims can be lost when the database server crashes.) Completions,
 * failures and inline claims commit with `synchronous_commit = off` for their own transaction
 * only: losing one to a database crash only means the event runs again.
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

  const claim = createBatchStatement(
    async (claims: { event: InboxEvent; options: ClaimOptions }[]) => {
      // One durable claim in the batch makes the whole commit wait for the flush.
      const durable = claims.some((c) => c.options.durable !== false);
      const result = await pool.query<ClaimedRow>(durable ? CLAIM : CLAIM_ASYNC, [
        claims.map((c) => c.event.id),
        claims.map((c) => c.event.type),
        claims.map((c) => c.event.payload),
        claims.map((c) => c.options.token),
        claims.map((c) => c.options.now + c.options.leaseMs),
        claims.map((c) => c.options.now),
      ]);
      const rows = new Map(result.rows.map((row) => [row.id, row]));
      return claims.map((c) => claimFromRow(rows.get(c.event.id)!, c.options.token, c.options.now));
    },
    (c) => c.event.id,
  );
  const complete = createBatchStatement(
    async (done: { id: string; token: string; now: number }[]) => {
      const result = await pool.query<{ id: string }>(COMPLETE, [
        done.map((d) => d.id),
        done.map((d) => d.token),
        done.map((d) => d.now),
      ]);
      const completed = new Set(result.rows.map((row) => row.id));
      return done.map((d) => completed.has(d.id));
    },
    (d) => d.id,
  );

  return {
    claim: (event, options) => claim({ event, options }),
    complete: (id, token, { now }) => complete({ id, token, now }),
    async fail(id, token, { retryAt, error }) {
      const result = await pool.query(FAIL, [id, token, retryAt, error]);
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
