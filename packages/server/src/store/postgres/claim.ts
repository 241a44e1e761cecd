import type pg from "pg";
import { signingSecrets } from "../../domain/signing-secrets.ts";
import { tlsClientOf } from "../../endpoint-options/client-certificate.ts";
import type { ClaimedDelivery, ClaimInput, SignatureSchemes } from "../types.ts";

interface ClaimRecord {
  /** How many the claim chose, on every row (and on the one row of a claim that took none). */
  chosen_count: number;
  /** Null on that one row. */
  id: string | null;
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
  headers: Record<string, string> | null;
  auth: string | null;
  tls_client_cert: string | null;
  tls_client_key: string | null;
  next_attempt_at: string | number;
  seq: string | number;
  ordering_key: string | null;
  sequence: string | number | null;
  retry: boolean;
  last_attempt_at: string | number | null;
  trace_parent: string | null;
  trace_state: string | null;
}

// One statement, one round trip. `named`: the endpoints this node knows may have due
// deliveries, each read through its own index up to its share: its due retries first
// (`deliveries_pending_retry`), then first attempts (`deliveries_pending_endpoint`: a backlog
// costs only the rows taken), so a failed delivery goes again when its schedule says, not
// behind a backlog. `candidates`: when the node scans, a bounded run of the
// due index for every other endpoint, at most `perEndpoint` of each (one endpoint's backlog
// cannot fill a claim meant for many and leave deliveries waiting in memory longer than the
// lease). Both lock with SKIP LOCKED: rows another node is claiming right now are passed over,
// never waited for; candidates not chosen stay locked only until this statement's commit.
//
// Ordered keys (docs/ordering.md), in both parts: a keyed row passes only if, in this
// statement's snapshot, no row of its (endpoint, key) is in flight or pending with an earlier
// sequence, and none earlier is held (failed under `ordering_on_exhausted = 'hold'`, see
// migration 0008). A snapshot can be stale, so the key's own row decides: `free_keys` locks it SKIP
// LOCKED and keeps it only while `running` is null, which PostgreSQL re-checks on the row's
// latest version; the trigger of migration 0005 sets `running` as the chosen row goes in flight.
//
// A chosen delivery whose endpoint is gone (ingest or a resend wrote it while the endpoint's
// delete committed) is cancelled, as the delete cancelled that endpoint's others (`gone`; the
// two updates see one snapshot, so they touch different rows). Left pending, it stayed at the
// head of the due index: every scan read it again, and a run of them filled the scan's window.
// Cancelling a retry changes its event's `failing_deliveries` (migration 0006's trigger), and a
// recorder may hold that event row while it waits for a delivery this claim has locked: such a
// retry is cancelled only if its event row can be locked at once, else by a later claim.
const KEY_IS_FREE = `(d.ordering_key IS NULL OR NOT EXISTS (
      SELECT 1 FROM deliveries o
      WHERE o.endpoint_id = d.endpoint_id AND o.ordering_key = d.ordering_key
        AND o.status IN ('pending', 'in_flight')
        AND (o.status = 'in_flight' OR o.sequence < d.sequence))
      AND NOT EXISTS (
      SELECT 1 FROM deliveries h
      WHERE h.endpoint_id = d.endpoint_id AND h.ordering_key = d.ordering_key
        AND h.holding AND h.status = 'failed' AND h.sequence < d.sequence
        AND EXISTS (SELECT 1 FROM endpoints q WHERE q.id = d.endpoint_id AND q.ordering_on_exhausted = 'hold')))`;
const CLAIM = `
WITH named_retries AS (
  SELECT c.* FROM jsonb_each_text($8::jsonb) share
  CROSS JOIN LATERAL (
    SELECT d.seq, d.endpoint_id, d.ordering_key, d.next_attempt_at, true AS retry FROM deliveries d
    WHERE d.endpoint_id = share.key AND d.status = 'pending' AND d.attempt_count > 0
      AND d.next_attempt_at <= $1
      AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = share.key AND p.status = 'disabled')
      AND ${KEY_IS_FREE}
    ORDER BY d.next_attempt_at, d.seq LIMIT share.value::int
    FOR UPDATE OF d SKIP LOCKED
  ) c
), named_first AS (
  SELECT c.* FROM jsonb_each_text($8::jsonb) share
  CROSS JOIN LATERAL (
    SELECT d.seq, d.endpoint_id, d.ordering_key, d.next_attempt_at, false AS retry FROM deliveries d
    WHERE d.endpoint_id = share.key AND d.status = 'pending' AND d.attempt_count = 0
      AND d.next_attempt_at <= $1
      AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = share.key AND p.status = 'disabled')
      AND ${KEY_IS_FREE}
    ORDER BY d.next_attempt_at, d.seq
    LIMIT share.value::int - (SELECT count(*) FROM named_retries r WHERE r.endpoint_id = share.key)
    FOR UPDATE OF d SKIP LOCKED
  ) c
), named AS (
  SELECT * FROM named_retries UNION ALL SELECT * FROM named_first
), candidates AS (
  SELECT d.seq, d.endpoint_id, d.ordering_key, d.next_attempt_at, d.attempt_count > 0 AS retry
  FROM deliveries d
  WHERE $9::boolean AND d.status = 'pending' AND d.next_attempt_at <= $1
    AND NOT (d.endpoint_id = ANY($2::text[]))
    AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = d.endpoint_id AND p.status = 'disabled')
    AND ${KEY_IS_FREE}
  ORDER BY d.next_attempt_at LIMIT $3
  FOR UPDATE OF d SKIP LOCKED
), scanned AS (
  SELECT seq, endpoint_id, ordering_key, next_attempt_at, retry FROM (
    SELECT seq, endpoint_id, ordering_key, next_attempt_at, retry,
           row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, seq) AS rank
    FROM candidates
  ) ranked WHERE rank <= $4
), both_parts AS (
  SELECT * FROM named UNION ALL SELECT * FROM scanned
), free_keys AS (
  SELECT k.endpoint_id, k.ordering_key FROM ordering_keys k
  WHERE (k.endpoint_id, k.ordering_key) IN (
      SELECT endpoint_id, ordering_key FROM both_parts WHERE ordering_key IS NOT NULL)
    AND k.running IS NULL
  FOR UPDATE SKIP LOCKED
), chosen AS (
  SELECT seq, endpoint_id, retry FROM both_parts b
  WHERE b.ordering_key IS NULL OR EXISTS (
    SELECT 1 FROM free_keys f WHERE f.endpoint_id = b.endpoint_id AND f.ordering_key = b.ordering_key)
  ORDER BY retry DESC, next_attempt_at, seq LIMIT $5
), gone AS (
  UPDATE deliveries d SET status = 'cancelled', next_attempt_at = NULL, updated_at = $1
  WHERE d.seq IN (SELECT c.seq FROM chosen c
                  WHERE NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = c.endpoint_id))
    AND (d.attempt_count = 0 OR EXISTS (
      SELECT 1 FROM events v WHERE v.id = d.event_id FOR NO KEY UPDATE SKIP LOCKED))
), claimed AS (
  UPDATE deliveries d SET status = 'in_flight', lease_owner = $6, lease_until = $7, updated_at = $1
  FROM chosen, events e, endpoints p
  WHERE d.seq = chosen.seq AND e.id = d.event_id AND p.id = d.endpoint_id
  RETURNING d.id, d.tenant_id, d.event_id, e.type AS event_type, d.endpoint_id, d.attempt_count,
            p.url, p.rate_limit, e.payload, p.secret, p.previous_secret,
            p.previous_secret_expires_at, p.signature_schemes, p.headers, p.auth, p.tls_client_cert, p.tls_client_key,
            d.next_attempt_at, d.seq,
            d.ordering_key, d.sequence, chosen.retry, d.last_attempt_at, e.trace_parent, e.trace_state
)
-- One row at least: how many were chosen, beside what was taken (none when all were gone).
SELECT (SELECT count(*) FROM chosen)::int AS chosen_count, c.*
FROM (SELECT 1) AS one LEFT JOIN claimed c ON true`;

export function claimQuery(pool: pg.Pool) {
  return async (input: ClaimInput): Promise<ClaimedDelivery[]> => {
    const shares = input.shares ?? {};
    const result = await pool.query<ClaimRecord>({
      name: "deliveries-claim",
      text: CLAIM,
      values: [
        input.now,
        [...input.excludeEndpoints, ...Object.keys(shares)],
        input.limit * 4,
        input.perEndpoint,
        input.limit,
        input.owner,
        input.leaseUntil,
        JSON.stringify(shares),
        input.scan !== false,
      ],
    });
    const rows = result.rows.filter((r): r is ClaimRecord & { id: string } => r.id !== null);
    const passedOver = (result.rows[0]?.chosen_count ?? 0) - rows.length;
    if (passedOver > 0) input.onPassedOver?.(passedOver);
    // RETURNING follows no order; the contract is due retries first, then oldest due.
    rows.sort(
      (a, b) =>
        Number(b.retry) - Number(a.retry) ||
        Number(a.next_attempt_at) - Number(b.next_attempt_at) ||
        Number(a.seq) - Number(b.seq),
    );
    return rows.map(
      (r): ClaimedDelivery => ({
        id: r.id,
        tenantId: r.tenant_id,
        eventId: r.event_id,
        eventType: r.event_type,
        endpointId: r.endpoint_id,
        attemptCount: r.attempt_count,
        url: r.url,
        rateLimit: r.rate_limit,
        payload: r.payload,
        secrets: signingSecrets(
          {
            secret: r.secret,
            previousSecret: r.previous_secret,
            previousSecretExpiresAt: r.previous_secret_expires_at,
          },
          input.now,
        ),
        signatureSchemes: r.signature_schemes as SignatureSchemes,
        headers: r.headers,
        auth: r.auth,
        tlsClient: tlsClientOf(r.tls_client_cert, r.tls_client_key),
        orderingKey: r.ordering_key,
        sequence: r.sequence === null ? null : Number(r.sequence),
        lastAttemptAt: r.last_attempt_at === null ? null : Number(r.last_attempt_at),
        traceParent: r.trace_parent,
        traceState: r.trace_state,
      }),
    );
  };
}
