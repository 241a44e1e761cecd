import type Database from "better-sqlite3";
import { DeliveryStatus } from "../../domain/delivery-status.ts";
import type { LadderPolicy } from "../../domain/health-ladder.ts";
import { applyOutcome, type LadderEndpoint } from "../apply-outcome.ts";
import { attemptDeltas } from "../rollups.ts";
import type { AttemptResult, HealthChange } from "../types.ts";
import { rollupQueries } from "./rollups.ts";
import { type HealthRecord, healthParams, toHealth } from "./rows.ts";

/**
 * Records a batch of attempt outcomes in one write transaction: the attempt rows, the delivery
 * states, and each endpoint's failure ladder, read and written in the same transaction so that
 * nodes sharing a database step it once per attempt. An endpoint the ladder (or a 410) disables
 * has its pending deliveries turned `skipped`: recorded and recoverable, never attempted.
 */
export function recordResultsQuery(db: Database.Database) {
  const rollups = rollupQueries(db);
  const insertAttempt = db.prepare(
    "INSERT INTO attempts (id, delivery_id, endpoint_id, created_at, duration_ms, status_code, response_body, error_kind, error_message, request_headers, trace_parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  // Only the lease holder's row changes: a delivery reclaimed from us meanwhile (its lease ran
  // out and another node claimed it) is not touched.
  // A keyed delivery that fails for good on an endpoint that holds its keys holds its key
  // (migration 0008); any other outcome clears the mark.
  const finish = db.prepare(
    "UPDATE deliveries SET status = @status, holding = (@status = 'failed' AND ordering_key IS NOT NULL AND EXISTS (SELECT 1 FROM endpoints p WHERE p.id = deliveries.endpoint_id AND p.ordering_on_exhausted = 'hold')), attempt_count = @attempt_count, next_attempt_at = @next_attempt_at, lease_owner = NULL, lease_until = NULL, last_attempt_at = @last_attempt_at, last_status_code = @last_status_code, last_error = @last_error, updated_at = @now WHERE id = @id AND status = 'in_flight' AND (@owner IS NULL OR lease_owner = @owner)",
  );
  const endpointState = db.prepare(
    "SELECT tenant_id, status, health, consecutive_failures, failing_since, disable_at, last_success_at, last_failure_at FROM endpoints WHERE id = ?",
  );
  const writeHealth = db.prepare(
    "UPDATE endpoints SET health = @health, consecutive_failures = @consecutive_failures, failing_since = @failing_since, disable_at = @disable_at, last_success_at = @last_success_at, last_failure_at = @last_failure_at WHERE id = @id",
  );
  const disable = db.prepare(
    "UPDATE endpoints SET status = 'disabled', disabled_reason = ?, updated_at = ? WHERE id = ? AND status = 'enabled'",
  );
  const skipPending = db.prepare(
    "UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, updated_at = ? WHERE endpoint_id = ? AND status = 'pending'",
  );

  const load = (endpoints: Map<string, LadderEndpoint | null>, id: string) => {
    if (endpoints.has(id)) return endpoints.get(id) ?? undefined;
    const row = endpointState.get(id) as
      | (HealthRecord & { tenant_id: string; status: string })
      | undefined;
    const state = row && {
      tenantId: row.tenant_id,
      status: row.status,
      health: toHealth(row),
      changed: false,
    };
    endpoints.set(id, state ?? null);
    return state;
  };

  const record = db.transaction(
    (results: readonly AttemptResult[], now: number, ladder: LadderPolicy): HealthChange[] => {
      const endpoints = new Map<string, LadderEndpoint | null>();
      const changes: HealthChange[] = [];
      for (const r of results) {
        const a = r.attempt;
        const endpoint = load(endpoints, r.endpointId);
        insertAttempt.run(
          a.id,
          a.deliveryId,
          r.endpointId,
          a.createdAt,
          a.durationMs,
          a.statusCode,
          a.responseBody,
          a.errorKind,
          a.errorMessage,
          JSON.stringify(a.requestHeaders),
          a.traceParent,
        );
        const { skip, disableReason } = applyOutcome(endpoint, r, ladder, changes);
        const error = a.errorKind === null ? null : `${a.errorKind}: ${a.errorMessage ?? ""}`;
        finish.run({
          status: skip ? DeliveryStatus.skipped : r.status,
          attempt_count: r.attemptCount,
          next_attempt_at: skip ? null : r.nextAttemptAt,
          last_attempt_at: a.createdAt,
          last_status_code: a.statusCode,
          last_error: error,
          now,
          id: r.deliveryId,
          owner: r.leaseOwner ?? null,
        });
        if (disableReason !== null) {
          disable.run(disableReason, now, r.endpointId);
          skipPending.run(now, r.endpointId);
        }
      }
      for (const [id, endpoint] of endpoints) {
        if (endpoint?.changed) writeHealth.run({ ...healthParams(endpoint.health), id });
      }
      rollups.add(attemptDeltas(results, (id) => endpoints.get(id)?.tenantId));
      return changes;
    },
  );
  return (results: readonly AttemptResult[], now: number, ladder: LadderPolicy) =>
    record.immediate(results, now, ladder);
}
