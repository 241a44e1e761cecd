import type Database from "better-sqlite3";
import { UnknownCursorError } from "../errors.ts";
import { endpointList } from "../list-query.ts";
import type { EndpointRow, IdempotencyRecord, ListOptions, Page } from "../types.ts";
import { endpointCountQueries } from "./endpoint-counts.ts";
import { idempotency } from "./idempotency.ts";
import { durably } from "./open.ts";
import { paginate } from "./paginate.ts";
import { type EndpointRecord, endpointParams, type HealthRecord, toEndpoint } from "./rows.ts";

type StoredEndpoint = EndpointRecord & HealthRecord;

// What an insert or an update writes; the health columns are the store's own (see `health.ts`).
const COLUMNS =
  "id, tenant_id, url, description, enabled_events, metadata, signature_schemes, status, disabled_reason, secret, previous_secret, previous_secret_expires_at, rate_limit, ordering, ordering_on_exhausted, headers, filter, auth, tls_client_cert, tls_client_key, created_at, updated_at";
const VALUES = COLUMNS.split(", ")
  .map((c) => `@${c}`)
  .join(", ");

export function endpointQueries(db: Database.Database) {
  const keys = idempotency(db);
  const counts = endpointCountQueries(db);
  const insert = db.prepare(`INSERT INTO endpoints (${COLUMNS}) VALUES (${VALUES})`);
  const byId = db.prepare("SELECT * FROM endpoints WHERE tenant_id = ? AND id = ?");
  const ofTenant = db.prepare("SELECT * FROM endpoints WHERE tenant_id = ?");
  const statusOf = db.prepare("SELECT status FROM endpoints WHERE tenant_id = ? AND id = ?");
  const update = db.prepare(
    `UPDATE endpoints SET ${COLUMNS.split(", ")
      .filter((c) => c !== "id" && c !== "tenant_id" && c !== "created_at")
      .map((c) => `${c} = @${c}`)
      .join(", ")} WHERE id = @id AND tenant_id = @tenant_id`,
  );
  const remove = db.prepare("DELETE FROM endpoints WHERE tenant_id = ? AND id = ?");
  const resetHealth = db.prepare(
    "UPDATE endpoints SET health = 'healthy', consecutive_failures = 0, failing_since = NULL, disable_at = NULL WHERE id = ?",
  );
  const skipPending = db.prepare(
    "UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, updated_at = ? WHERE endpoint_id = ? AND status = 'pending'",
  );
  const cancel = db.prepare(
    "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = ? WHERE endpoint_id = ? AND status IN ('pending', 'in_flight')",
  );

  const create = db.transaction(
    (endpoint: EndpointRow, key: Omit<IdempotencyRecord, "resourceId"> | undefined) => {
      if (key !== undefined) {
        const claim = keys.claim(
          key,
          endpoint.id,
          endpoint.createdAt,
          (id) => byId.get(key.tenantId, id) !== undefined,
        );
        if (claim.kind === "conflict") return claim;
        if (claim.kind === "replay") {
          const first = byId.get(key.tenantId, claim.resourceId) as StoredEndpoint;
          return { kind: "replayed" as const, endpoint: toEndpoint(first) };
        }
      }
      insert.run(endpointParams(endpoint));
      return { kind: "created" as const, endpoint };
    },
  );

  return {
    create: (endpoint: EndpointRow, key?: Omit<IdempotencyRecord, "resourceId">) =>
      durably(db, () => create.immediate(endpoint, key)),
    get(tenantId: string, id: string): EndpointRow | undefined {
      const row = byId.get(tenantId, id) as StoredEndpoint | undefined;
      return row && toEndpoint(row);
    },
    list(tenantId: string, options: ListOptions): Page<EndpointRow> {
      const page = paginate<StoredEndpoint>(db, endpointList(tenantId), options);
      if (page === undefined) throw cursorError(options);
      return { data: page.data.map(toEndpoint), hasMore: page.hasMore };
    },
    ofTenant: (tenantId: string) => (ofTenant.all(tenantId) as StoredEndpoint[]).map(toEndpoint),
    update: db.transaction((endpoint: EndpointRow, now: number) => {
      const before = statusOf.get(endpoint.tenantId, endpoint.id) as { status: string } | undefined;
      const previousStatus = (before?.status ?? endpoint.status) as EndpointRow["status"];
      update.run(endpointParams(endpoint));
      if (previousStatus !== endpoint.status) {
        // Disabled: nothing more is attempted, and nothing is lost either (recover resends it).
        if (endpoint.status === "disabled") skipPending.run(now, endpoint.id);
        else resetHealth.run(endpoint.id);
      }
      return { previousStatus };
    }),
    delete: db.transaction((tenantId: string, id: string, now: number) => {
      // The tenant's own endpoint, or nothing changes: the cancel goes by endpoint id alone.
      if (remove.run(tenantId, id).changes === 0) return false;
      cancel.run(now, id);
      // Its failed and skipped deliveries stay until retention; nothing reads their counts.
      counts.remove(id);
      return true;
    }),
  };
}

export function cursorError(options: ListOptions): UnknownCursorError {
  return options.startingAfter !== undefined
    ? new UnknownCursorError("starting_after", options.startingAfter)
    : new UnknownCursorError("ending_before", options.endingBefore ?? "");
}
