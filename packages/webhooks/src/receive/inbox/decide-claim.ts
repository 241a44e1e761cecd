import { type Claim, InboxState } from "./inbox.ts";

/** The part of an inbox row a claim decision reads. */
export interface ClaimableRow {
  state: InboxState;
  attempts: number;
  /** Unix ms: end of the lease while processing, retry time once failed. */
  availableAt: number;
}

/**
 * Whether an event that is already in the inbox can be taken now. Pure: the memory inbox runs
 * it directly, and the SQL inboxes express the same rule in their upsert's WHERE clause.
 */
export function decideClaim(row: ClaimableRow, now: number): Claim {
  if (row.state === InboxState.completed) return { status: "duplicate" };
  if (row.availableAt > now) return { status: "in_progress", retryAt: row.availableAt };
  return { status: "new", attempt: row.attempts + 1 };
}

/** True when `version` is not older than `applied`: by `created`, then by sequence. */
export function isCurrent(
  version: { created: number; sequence: number },
  applied: { created: number; sequence: number } | undefined,
): boolean {
  if (applied === undefined) return true;
  if (version.created !== applied.created) return version.created > applied.created;
  return version.sequence >= applied.sequence;
}
