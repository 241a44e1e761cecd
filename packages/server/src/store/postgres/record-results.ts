import type pg from "pg";
import { DeliveryStatus } from "../../domain/delivery-status.ts";
import type { LadderPolicy } from "../../domain/health-ladder.ts";
import { applyOutcome, type LadderEndpoint } from "../apply-outcome.ts";
import { attemptDeltas } from "../rollups.ts";
import type { AttemptResult, HealthChange } from "../types.ts";
import { lockCounts } from "./endpoint-counts.ts";
import { SKIP_PENDING } from "./endpoints.ts";
import { columns } from "./events.ts";
import { notifyDue, transaction } from "./pool.ts";
import { addRollups } from "./rollups.ts";
import { type HealthRecord, healthParams, toHealth } from "./rows.ts";

// Endpoint rows are locked in id order, before any delivery row: two nodes recording outcomes
// for the same endpoints queue on the first one instead of deadlocking, and the failure ladder
// is read and stepped by one node at a time (once per attempt, whichever node made it).
// NO KEY UPDATE: the recorder never changes an endpoint's id, so ingest's key-share lock of it
// (endpoint-counts.ts) need not wait for an outcome batch; a delete's FOR UPDATE still does.
const LOCK_ENDPOINTS = `SELECT id, tenant_id, status, health, consecutive_failures, failing_since,
    disable_at, last_success_at, last_failure_at
  FROM endpoints WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE`;
const INSERT_ATTEMPTS = `INSERT INTO attempts (id, delivery_id, endpoint_id, created_at, duration_ms,
    status_code, response_body, error_kind, error_message, request_headers, trace_parent)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::integer[],
    $6::integer[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::text[])`;
// Only a delivery still in flight under the attempt's lease changes: one whose lease ran out and
// that another node claimed again is not touched (an empty owner matches any in-flight row).
// A keyed delivery that fails for good on an endpoint that holds its keys holds its key
// (migration 0008); any other outcome clears the mark. The endpoints are locked above.
const FINISH = `UPDATE deliveries d SET status = r.status, attempt_count = r.attempt_count,
    holding = (r.status = 'failed' AND d.ordering_key IS NOT NULL AND EXISTS (
      SELECT 1 FROM endpoints p WHERE p.id = d.endpoint_id AND p.ordering_on_exhausted = 'hold')),
    next_attempt_at = r.next_attempt_at, lease_owner = NULL, lease_until = NULL,
    last_attempt_at = r.last_attempt_at, last_status_code = r.last_status_code,
    last_error = r.last_error, updated_at = $9
  FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[], $5::bigint[], $6::integer[],
              $7::text[], $8::text[])
    AS r (id, status, attempt_count, next_attempt_at, last_attempt_at, last_status_code, last_error,
          lease_owner)
  WHERE d.id = r.id AND d.status = 'in_flight'
    AND (r.lease_owner IS NULL OR d.lease_owner = r.lease_owner)`;
// Event rows whose `failing_deliveries` this batch changes (migration 0006's trigger), locked in
// id order before the deliveries are written: two batches crossing the line for deliveries of
// the same events would otherwise lock them in the order their UPDATE reaches them, and could
// deadlock. A batch of first attempts that succeed locks nothing here. The pending deliveries of
// an endpoint this batch disables are skipped, which uncounts those that had failed an attempt.
const LOCK_EVENTS = `SELECT id FROM events WHERE id IN (
    SELECT event_id FROM deliveries WHERE id = ANY($1::text[])
    UNION
    SELECT event_id FROM deliveries
      WHERE endpoint_id = ANY($2::text[]) AND status = 'pending' AND attempt_count > 0)
  ORDER BY id FOR NO KEY UPDATE`;
const WRITE_HEALTH = `UPDATE endpoints SET health = $2, consecutive_failures = $3, failing_since = $4,
  disable_at = $5, last_success_at = $6, last_failure_at = $7 WHERE id = $1`;
const DISABLE = `UPDATE endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2
  WHERE id = $3 AND status = 'enabled'`;

/**
 * Records a batch of outcomes in one transaction, as sqlite/record-results.ts does: attempts,
 * delivery states, each endpoint's failure ladder; an endpoint the ladder (or a 410) disables
 * has its pending deliveries turned `skipped`. The ladder is stepped in memory over the locked
 * rows, then everything is written in a handful of set-based statements.
 */
export function recordResultsQuery(pool: pg.Pool) {
  return (results: readonly AttemptResult[], now: number, ladder: LadderPolicy) =>
    transaction(pool, async (client): Promise<HealthChange[]> => {
      if (results.length === 0) return [];
      const ids = [...new Set(results.map((r) => r.endpointId))];
      const locked = await client.query<
        HealthRecord & { id: string; tenant_id: string; status: string }
      >({ name: "record-lock-endpoints", text: LOCK_ENDPOINTS, values: [ids] });
      const endpoints = new Map<string, LadderEndpoint>(
        locked.rows.map((row) => [
          row.id,
          { tenantId: row.tenant_id, status: row.status, health: toHealth(row), changed: false },
        ]),
      );
      const changes: HealthChange[] = [];
      const disabled: { id: string; reason: string }[] = [];
      const finished = results.map((r) => {
        const a = r.attempt;
        const endpoint = endpoints.get(r.endpointId);
        const { skip, disableReason } = applyOutcome(endpoint, r, ladder, changes);
        const row = {
          id: r.deliveryId,
          status: skip ? DeliveryStatus.skipped : r.status,
          attemptCount: r.attemptCount,
          nextAttemptAt: skip ? null : r.nextAttemptAt,
          lastAttemptAt: a.createdAt,
          lastStatusCode: a.statusCode,
          lastError: a.errorKind === null ? null : `${a.errorKind}: ${a.errorMessage ?? ""}`,
          leaseOwner: r.leaseOwner ?? null,
        };
        if (disableReason !== null) disabled.push({ id: r.endpointId, reason: disableReason });
        return row;
      });

      // Rollup rows, then count rows, before any delivery row, in the order ingest takes them
      // (events.ts): a recorder that took its count rows first and an ingest holding the same
      // shard's rollup row could each wait for the other (test/postgres-lock-order.test.ts).
      await addRollups(
        client,
        attemptDeltas(results, (id) => endpoints.get(id)?.tenantId),
      );
      // Count rows (migration 0013): of the endpoints whose deliveries this batch leaves
      // failed or skipped, and of those it disables (their pending ones become skipped).
      const parked = results
        .filter((_, i) => {
          const status = finished[i]!.status;
          return status === DeliveryStatus.failed || status === DeliveryStatus.skipped;
        })
        .map((r) => r.endpointId);
      if (parked.length > 0 || disabled.length > 0) {
        await lockCounts(client, [...parked, ...disabled.map((d) => d.id)]);
      }
      const crossing = finished.filter((f, i) => isFailing(f) !== results[i]!.attemptCount > 1);
      if (crossing.length > 0 || disabled.length > 0) {
        await client.query({
          name: "record-lock-events",
          text: LOCK_EVENTS,
          values: [crossing.map((f) => f.id), disabled.map((d) => d.id)],
        });
      }
      await client.query({
        name: "record-insert-attempts",
        text: INSERT_ATTEMPTS,
        values: columns(results, [
          (r) => r.attempt.id,
          (r) => r.attempt.deliveryId,
          (r) => r.endpointId,
          (r) => r.attempt.createdAt,
          (r) => r.attempt.durationMs,
          (r) => r.attempt.statusCode,
          (r) => r.attempt.responseBody,
          (r) => r.attempt.errorKind,
          (r) => r.attempt.errorMessage,
          (r) => JSON.stringify(r.attempt.requestHeaders),
          (r) => r.attempt.traceParent,
        ]),
      });
      // Delivery rows in id order too, so two batches touching the same rows lock them alike.
      finished.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      await client.query({
        name: "record-finish",
        text: FINISH,
        values: [
          ...columns(finished, [
            (f) => f.id,
            (f) => f.status,
            (f) => f.attemptCount,
            (f) => f.nextAttemptAt,
            (f) => f.lastAttemptAt,
            (f) => f.lastStatusCode,
            (f) => f.lastError,
            (f) => f.leaseOwner,
          ]),
          now,
        ],
      });
      // After the finishes, as SQLite does it mid-batch: a retry this batch scheduled for an
      // endpoint it then disabled is skipped too.
      for (const { id, reason } of disabled) {
        await client.query(DISABLE, [reason, now, id]);
        await client.query(SKIP_PENDING, [now, id]);
      }
      for (const [id, endpoint] of endpoints) {
        if (!endpoint.changed) continue;
        const h = healthParams(endpoint.health);
        await client.query({
          name: "record-write-health",
          text: WRITE_HEALTH,
          values: [
            id,
            h.health,
            h.consecutive_failures,
            h.failing_since,
            h.disable_at,
            h.last_success_at,
            h.last_failure_at,
          ],
        });
      }
      // A keyed delivery that finished frees its key: the next of it may be due now, and a
      // node with room for it must not wait for its poll (the node that recorded it marks its
      // own lane; this tells the others).
      const freed = new Set(
        results
          .filter((r) => r.ordered === true && r.status !== "pending")
          .map((r) => r.endpointId),
      );
      if (freed.size > 0) await client.query(notifyDue(freed));
      return changes;
    });
}

/**
 * Whether a delivery counts in its event's `failing_deliveries` once this outcome is written
 * (the trigger's test). Before it, the delivery was in flight and counted if an earlier attempt
 * had been made: `attemptCount > 1`.
 */
function isFailing(f: { status: string; attemptCount: number }): boolean {
  return (
    f.status === DeliveryStatus.failed ||
    ((f.status === DeliveryStatus.pending || f.status === DeliveryStatus.inFlight) &&
      f.attemptCount > 0)
  );
}
