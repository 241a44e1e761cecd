import type Database from "better-sqlite3";
import { signingSecrets } from "../../domain/signing-secrets.ts";
import { tlsClientOf } from "../../endpoint-options/client-certificate.ts";
import { deliveryList } from "../list-query.ts";
import type {
  AttemptRow,
  ClaimedDelivery,
  ClaimInput,
  DeliveryFilters,
  DeliveryRow,
  Page,
  SignatureSchemes,
} from "../types.ts";
import { cursorError } from "./endpoints.ts";
import { LIMIT_PARAM } from "./limit.ts";
import { paginate } from "./paginate.ts";
import { type AttemptRecord, type DeliveryRecord, toAttempt, toDelivery } from "./rows.ts";

interface Due {
  seq: number;
  next_attempt_at: number;
  /** 1 for a delivery attempted before: due retries are claimed first. */
  retry: number;
}

interface ClaimRecord {
  seq: number;
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  attempt_count: number;
  payload: Buffer;
  ordering_key: string | null;
  sequence: number | null;
  last_attempt_at: number | null;
  trace_parent: string | null;
  trace_state: string | null;
}

/** What a claim reads of an endpoint, once per endpoint and claim. */
interface ClaimEndpointRecord {
  url: string;
  rate_limit: number | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  signature_schemes: string;
  headers: string | null;
  auth: string | null;
  tls_client_cert: string | null;
  tls_client_key: string | null;
}

/**
 * The per-key rule (docs/ordering.md), for a delivery `d` of the claim: an unkeyed one always
 * passes; a keyed one only while no delivery of its (endpoint, key) is in flight and none of an
 * earlier sequence is pending, so at most one of a key runs, the lowest open one (a retried old
 * one goes before newer ones still waiting), and none earlier is held: failed after its retries
 * under `ordering_on_exhausted = 'hold'`, while the endpoint still says so. Probes
 * `deliveries_open_key` and `deliveries_holding_key`. Claims are serialized
 * by SQLite's write lock, so what this reads is what the claim's update sees.
 */
export const KEY_IS_FREE = `(d.ordering_key IS NULL OR NOT EXISTS (
  SELECT 1 FROM deliveries o
  WHERE o.endpoint_id = d.endpoint_id AND o.ordering_key = d.ordering_key
    AND o.status IN ('pending', 'in_flight')
    AND (o.status = 'in_flight' OR o.sequence < d.sequence))
  AND NOT EXISTS (
  SELECT 1 FROM deliveries h
  WHERE h.endpoint_id = d.endpoint_id AND h.ordering_key = d.ordering_key
    AND h.holding = 1 AND h.status = 'failed' AND h.sequence < d.sequence
    AND EXISTS (SELECT 1 FROM endpoints q WHERE q.id = d.endpoint_id AND q.ordering_on_exhausted = 'hold')))`;

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
      const page = paginate<DeliveryRecord>(db, deliveryList(tenantId, filters), filters);
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

/**
 * Claims due deliveries and reads what the sender needs, in one write transaction: first the
 * endpoints the claim names, each through its own index (a backlog costs only the rows taken),
 * then, when asked to scan, a bounded run of the due index for every other endpoint.
 */
function claimQuery(db: Database.Database) {
  // A named endpoint's due retries go before its first attempts: a delivery that failed is
  // attempted again when its schedule says, not behind a backlog of older first attempts (and
  // under per_key ordering a failed head holds up the rest of its key until it goes). Retries
  // are read through `deliveries_pending_retry`, (endpoint_id, next_attempt_at) over pending
  // rows that were attempted before; first attempts through `deliveries_pending_endpoint`, the
  // same over all pending rows, passing over the retries (at most a share of them are due and
  // not taken). seq is the rowid each index ends with: both read exactly the rows they return,
  // in due order. Keyed rows held back by the per-key rule are read and passed over (see
  // docs/ordering.md for what a backlog of held keys costs).
  const retriesOf = db.prepare(`
    SELECT seq, next_attempt_at, 1 AS retry FROM deliveries d
    WHERE endpoint_id = ? AND status = 'pending' AND attempt_count > 0 AND next_attempt_at <= ?
      AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = ? AND p.status = 'disabled')
      AND ${KEY_IS_FREE}
    ORDER BY next_attempt_at, seq ${LIMIT_PARAM}`);
  const firstAttemptsOf = db.prepare(`
    SELECT seq, next_attempt_at, 0 AS retry FROM deliveries d
    WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at <= ? AND attempt_count = 0
      AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = ? AND p.status = 'disabled')
      AND ${KEY_IS_FREE}
    ORDER BY next_attempt_at, seq ${LIMIT_PARAM}`);
  // The scan, for endpoints this node knows nothing of: the inner query reads a bounded run of
  // the due index; the window keeps at most `perEndpoint` rows of any one endpoint, so one
  // endpoint's backlog cannot fill a claim meant for many and leave deliveries waiting in
  // memory, under a lease, longer than the lease lasts. Rows of skipped endpoints are read and
  // passed over: the scan is for what the node does not know, which is rarely much.
  const scan = db.prepare(`
    SELECT seq, next_attempt_at FROM (
      SELECT seq, next_attempt_at, attempt_count > 0 AS retry,
             ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, seq) AS rank
      FROM (
        SELECT seq, endpoint_id, next_attempt_at, attempt_count FROM deliveries d
        WHERE status = 'pending' AND next_attempt_at <= ?
          AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = d.endpoint_id AND p.status = 'disabled')
          AND endpoint_id NOT IN (SELECT value FROM json_each(?))
          AND ${KEY_IS_FREE}
        ORDER BY next_attempt_at ${LIMIT_PARAM}
      )
    ) WHERE rank <= ? ORDER BY next_attempt_at, seq ${LIMIT_PARAM}`);
  // Due retries first, then oldest due (see `Store.claimDue`).
  const lease = db.prepare(`
    UPDATE deliveries SET status = 'in_flight', lease_owner = ?, lease_until = ?, updated_at = ?
    WHERE seq IN (SELECT value FROM json_each(?))`);
  // In the claim's order: a serial lane (a listen session) runs the first and gives the rest back.
  const details = db.prepare(`
    SELECT d.seq, d.id, d.tenant_id, d.event_id, e.type AS event_type, d.endpoint_id, d.attempt_count,
           e.payload, d.ordering_key, d.sequence, d.last_attempt_at, e.trace_parent, e.trace_state
    FROM deliveries d
    JOIN events e ON e.id = d.event_id
    WHERE d.seq IN (SELECT value FROM json_each(?))
    ORDER BY d.attempt_count = 0, d.next_attempt_at, d.seq`);
  // A delivery whose endpoint is gone (ingest or a resend wrote it while the endpoint's delete
  // committed) ends as the delete ended that endpoint's others: cancelled. Left pending, it
  // would be leased and given back forever, and a run of them would fill the scan's window.
  const cancelGone = db.prepare(`
    UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, lease_owner = NULL,
      lease_until = NULL, updated_at = ?
    WHERE seq IN (SELECT value FROM json_each(?))`);
  // Read once per endpoint and claim, not joined to each delivery: a claim is mostly one
  // endpoint's, and the join read its secrets, headers and certificate again for every row
  // (3.3 of 8.7 µs a row), which the rows below then shared anyway.
  const endpointDetails = db.prepare(`
    SELECT url, rate_limit, secret, previous_secret, previous_secret_expires_at, signature_schemes,
           headers, auth, tls_client_cert, tls_client_key
    FROM endpoints WHERE id = ?`);
  /**
   * What every claimed delivery of one endpoint carries of it (shared by them, not copied), or
   * undefined when the endpoint is gone.
   */
  const endpointPart = (endpointId: string, now: number) => {
    const p = endpointDetails.get(endpointId) as ClaimEndpointRecord | undefined;
    if (p === undefined) return undefined;
    return {
      url: p.url,
      rateLimit: p.rate_limit,
      secrets: signingSecrets(
        {
          secret: p.secret,
          previousSecret: p.previous_secret,
          previousSecretExpiresAt: p.previous_secret_expires_at,
        },
        now,
      ),
      signatureSchemes: p.signature_schemes as SignatureSchemes,
      headers: p.headers === null ? null : (JSON.parse(p.headers) as Record<string, string>),
      auth: p.auth,
      tlsClient: tlsClientOf(p.tls_client_cert, p.tls_client_key),
    };
  };
  const run = db.transaction((input: ClaimInput) => {
    // Both parts, then the oldest due of them up to the limit, as PostgreSQL's one statement.
    const found: Due[] = [];
    const shares = input.shares ?? {};
    for (const [endpointId, share] of Object.entries(shares)) {
      const take = Math.min(share, input.limit);
      if (take <= 0) continue;
      const retries = retriesOf.all(endpointId, input.now, endpointId, take) as Due[];
      found.push(...retries);
      const rest = take - retries.length;
      if (rest > 0)
        found.push(...(firstAttemptsOf.all(endpointId, input.now, endpointId, rest) as Due[]));
    }
    if (input.scan !== false) {
      const skipped = JSON.stringify([...input.excludeEndpoints, ...Object.keys(shares)]);
      const limit = input.limit;
      found.push(...(scan.all(input.now, skipped, limit * 4, input.perEndpoint, limit) as Due[]));
    }
    found.sort(
      (a, b) => b.retry - a.retry || a.next_attempt_at - b.next_attempt_at || a.seq - b.seq,
    );
    const seqs = found.slice(0, input.limit).map((row) => row.seq);
    if (seqs.length === 0) return { claimed: [], passedOver: 0 };
    const chosen = JSON.stringify(seqs);
    lease.run(input.owner, input.leaseUntil, input.now, chosen);
    const rows = details.all(chosen) as ClaimRecord[];
    const endpoints = new Map<string, ReturnType<typeof endpointPart>>();
    const claimed: ClaimedDelivery[] = [];
    const gone: number[] = [];
    for (const r of rows) {
      if (!endpoints.has(r.endpoint_id)) {
        endpoints.set(r.endpoint_id, endpointPart(r.endpoint_id, input.now));
      }
      const endpoint = endpoints.get(r.endpoint_id);
      if (endpoint === undefined) {
        gone.push(r.seq);
        continue;
      }
      claimed.push({
        id: r.id,
        tenantId: r.tenant_id,
        eventId: r.event_id,
        eventType: r.event_type,
        endpointId: r.endpoint_id,
        attemptCount: r.attempt_count,
        payload: r.payload,
        ...endpoint,
        orderingKey: r.ordering_key,
        sequence: r.sequence,
        lastAttemptAt: r.last_attempt_at,
        traceParent: r.trace_parent,
        traceState: r.trace_state,
      });
    }
    if (gone.length > 0) cancelGone.run(input.now, JSON.stringify(gone));
    return { claimed, passedOver: gone.length };
  });
  return (input: ClaimInput): ClaimedDelivery[] => {
    const { claimed, passedOver } = run.immediate(input);
    // Told after the commit: a listener that throws cannot undo the claim.
    if (passedOver > 0) input.onPassedOver?.(passedOver);
    return claimed;
  };
}
