import type Database from "better-sqlite3";
import { signingSecrets } from "../../domain/signing-secrets.ts";
import type {
  AttemptRow,
  ClaimedDelivery,
  DeliveryFilters,
  DeliveryRow,
  Page,
  SignatureSchemes,
} from "../types.ts";
import { cursorError } from "./endpoints.ts";
import { paginate } from "./paginate.ts";
import { type AttemptRecord, type DeliveryRecord, toAttempt, toDelivery } from "./rows.ts";

interface ClaimRecord {
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  attempt_count: number;
  url: string;
  rate_limit: number | null;
  payload: Buffer;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  signature_schemes: string;
}

export function deliveryQueries(db: Database.Database) {
  const byId = db.prepare("SELECT * FROM deliveries WHERE tenant_id = ? AND id = ?");
  const attempts = db.prepare(
    "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY created_at, rowid",
  );
  const retry = db.prepare(
    "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status <> 'in_flight'",
  );
  const release = db.prepare(
    "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE status = 'in_flight' AND lease_owner = ?",
  );
  const reclaim = db.prepare(
    "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE status = 'in_flight' AND lease_until < ?",
  );
  const nextDue = db.prepare(
    "SELECT MIN(next_attempt_at) AS due FROM deliveries WHERE status = 'pending'",
  );

  return {
    get(tenantId: string, id: string): DeliveryRow | undefined {
      const row = byId.get(tenantId, id) as DeliveryRecord | undefined;
      return row && toDelivery(row);
    },
    list(tenantId: string, filters: DeliveryFilters): Page<DeliveryRow> {
      const conditions = ["tenant_id = ?"];
      const params: unknown[] = [tenantId];
      for (const [column, value] of [
        ["event_id", filters.eventId],
        ["endpoint_id", filters.endpointId],
        ["status", filters.status],
      ] as const) {
        if (value === undefined) continue;
        conditions.push(`${column} = ?`);
        params.push(value);
      }
      const page = paginate<DeliveryRecord>(
        db,
        "deliveries",
        conditions.join(" AND "),
        params,
        filters,
      );
      if (page === undefined) throw cursorError(filters);
      return { data: page.data.map(toDelivery), hasMore: page.hasMore };
    },
    attempts: (deliveryId: string): AttemptRow[] =>
      (attempts.all(deliveryId) as AttemptRecord[]).map(toAttempt),
    retry(tenantId: string, id: string, now: number): DeliveryRow | undefined {
      retry.run(now, now, tenantId, id);
      const row = byId.get(tenantId, id) as DeliveryRecord | undefined;
      return row && toDelivery(row);
    },
    claim: claimQuery(db),
    release: (owner: string, now: number) => release.run(now, now, owner).changes,
    reclaim: (now: number, before = now) => reclaim.run(now, now, before).changes,
    nextDue: () => (nextDue.get() as { due: number | null }).due ?? undefined,
  };
}

/** Claims due deliveries and reads what the sender needs, in one write transaction. */
function claimQuery(db: Database.Database) {
  // The inner scan reads a bounded run of the due index; the window keeps at most `perEndpoint`
  // rows of any one endpoint (or its share: what its lane has room for), so one endpoint's backlog cannot fill a claim meant for many and
  // leave deliveries waiting in memory, under a lease, longer than the lease lasts.
  const claimSql = (excluded: number) => `
    UPDATE deliveries SET status = 'in_flight', lease_owner = ?, lease_until = ?, updated_at = ?
    WHERE seq IN (
      SELECT seq FROM (
        SELECT seq, next_attempt_at, endpoint_id,
               ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, seq) AS rank
        FROM (
          SELECT seq, endpoint_id, next_attempt_at FROM deliveries
          WHERE status = 'pending' AND next_attempt_at <= ?
          AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = deliveries.endpoint_id AND p.status = 'disabled')
          ${excluded > 0 ? `AND endpoint_id NOT IN (${Array(excluded).fill("?").join(",")})` : ""}
          ORDER BY next_attempt_at LIMIT ?
        )
      ) ranked LEFT JOIN json_each(?) share ON share.key = ranked.endpoint_id
      WHERE rank <= COALESCE(share.value, ?) ORDER BY ranked.next_attempt_at LIMIT ?
    )
    RETURNING id`;
  // One prepared statement per number of excluded endpoints: preparing one per claim was 2% of
  // the server's CPU under load.
  const statements = new Map<number, Database.Statement>();
  const withExclusions = (count: number): Database.Statement => {
    let statement = statements.get(count);
    if (statement === undefined) {
      if (statements.size >= 64) statements.clear();
      statement = db.prepare(claimSql(count));
      statements.set(count, statement);
    }
    return statement;
  };
  // Oldest due first: a serial lane (a listen session) runs the first and gives the rest back.
  const details = db.prepare(`
    SELECT d.id, d.tenant_id, d.event_id, e.type AS event_type, d.endpoint_id, d.attempt_count, p.url,
           p.rate_limit, e.payload, p.secret, p.previous_secret, p.previous_secret_expires_at,
           p.signature_schemes
    FROM deliveries d
    JOIN events e ON e.id = d.event_id
    JOIN endpoints p ON p.id = d.endpoint_id
    WHERE d.id IN (SELECT value FROM json_each(?))
    ORDER BY d.next_attempt_at, d.seq`);
  const run = db.transaction(
    (input: {
      now: number;
      limit: number;
      leaseUntil: number;
      owner: string;
      excludeEndpoints: readonly string[];
      perEndpoint: number;
      shares?: Readonly<Record<string, number>> | undefined;
    }) => {
      const statement = withExclusions(input.excludeEndpoints.length);
      const ids = statement
        .all(
          input.owner,
          input.leaseUntil,
          input.now,
          input.now,
          ...input.excludeEndpoints,
          input.limit * 4,
          JSON.stringify(input.shares ?? {}),
          input.perEndpoint,
          input.limit,
        )
        .map((row) => (row as { id: string }).id);
      if (ids.length === 0) return [];
      const rows = details.all(JSON.stringify(ids)) as ClaimRecord[];
      return rows.map((r): ClaimedDelivery => {
        const secrets = signingSecrets(
          {
            secret: r.secret,
            previousSecret: r.previous_secret,
            previousSecretExpiresAt: r.previous_secret_expires_at,
          },
          input.now,
        );
        return {
          id: r.id,
          tenantId: r.tenant_id,
          eventId: r.event_id,
          eventType: r.event_type,
          endpointId: r.endpoint_id,
          attemptCount: r.attempt_count,
          url: r.url,
          rateLimit: r.rate_limit,
          payload: r.payload,
          secrets,
          signatureSchemes: r.signature_schemes as SignatureSchemes,
        };
      });
    },
  );
  return (input: Parameters<typeof run>[0]) => run.immediate(input);
}
