import { decideClaim } from "./decide-claim.ts";
import type { Claim, InboxState } from "./inbox.ts";

/**
 * The claim as ONE upsert for both SQL inboxes: insert the event, or take the existing row when
 * `decideClaim` would (not completed, and its lease or retry time is over), and in every case
 * return the row. A refused claim rewrites the row with its own values, so RETURNING still has
 * something to explain the refusal with: no second statement, and no window between two
 * statements in which the row could change. `rows` supplies the new rows' columns (id, type,
 * payload, state, attempts, token, available_at = lease end, received_at = now) in the driver's
 * terms: a VALUES list with positional parameters (SQLite), a SELECT over arrays (PostgreSQL).
 * SQLite tries a plain insert first and runs this only for an id it already holds (sqlite.ts):
 * there the two statements share one transaction under the write lock, so no window either.
 */
export function claimSql(rows: string): string {
  const take =
    "hookline_inbox.state <> 'completed' AND hookline_inbox.available_at <= excluded.received_at";
  const ifTaken = (taken: string, column: string) =>
    `${column} = CASE WHEN ${take} THEN ${taken} ELSE hookline_inbox.${column} END`;
  return `
INSERT INTO hookline_inbox (id, type, payload, state, attempts, token, available_at, received_at)
${rows}
ON CONFLICT (id) DO UPDATE SET
  ${ifTaken("'processing'", "state")},
  ${ifTaken("hookline_inbox.attempts + 1", "attempts")},
  ${ifTaken("excluded.token", "token")},
  ${ifTaken("excluded.available_at", "available_at")}
RETURNING id, state, attempts, token, available_at`;
}

/** The row as the claim statement returns it. */
export interface ClaimedRow {
  id: string;
  state: InboxState;
  attempts: number;
  token: string | null;
  /** A string from pg (BIGINT), a number from better-sqlite3. */
  available_at: number | string;
}

/** What the returned row means for the claim made with `token` at `now`. Pure. */
export function claimFromRow(row: ClaimedRow, token: string, now: number): Claim {
  // Tokens are random per claim: the row carries ours only if this statement took it.
  if (row.token === token && row.state === "processing") {
    return { status: "new", attempt: row.attempts };
  }
  const claim = decideClaim({ ...row, availableAt: Number(row.available_at) }, now);
  // The statement did not take the row, so decideClaim agrees unless the clock moved between
  // them; asking the sender to come back shortly is always safe.
  return claim.status === "new" ? { status: "in_progress", retryAt: now + 1000 } : claim;
}
