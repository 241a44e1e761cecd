import type pg from "pg";
import { signingSecrets } from "../../domain/signing-secrets.ts";
import type { ClaimedDelivery, SignatureSchemes } from "../types.ts";

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

// One statement, one round trip: lock a bounded run of the due index with SKIP LOCKED (rows
// another node is claiming right now are passed over, never waited for), keep at most
// `perEndpoint` of any endpoint, or its share (one endpoint's backlog cannot fill a claim meant for many and
// leave deliveries waiting in memory longer than the lease), lease them, and return what the
// sender needs. Candidates not chosen stay locked only until this statement's commit.
const CLAIM = `
WITH candidates AS (
  SELECT d.seq, d.endpoint_id, d.next_attempt_at FROM deliveries d
  WHERE d.status = 'pending' AND d.next_attempt_at <= $1
    AND NOT (d.endpoint_id = ANY($2::text[]))
    AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.id = d.endpoint_id AND p.status = 'disabled')
  ORDER BY d.next_attempt_at LIMIT $3
  FOR UPDATE OF d SKIP LOCKED
), chosen AS (
  SELECT seq FROM (
    SELECT seq, next_attempt_at, endpoint_id,
           row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, seq) AS rank
    FROM candidates
  ) ranked
  LEFT JOIN jsonb_each_text($8::jsonb) share ON share.key = ranked.endpoint_id
  WHERE rank <= COALESCE(share.value::int, $4) ORDER BY next_attempt_at LIMIT $5
)
UPDATE deliveries d SET status = 'in_flight', lease_owner = $6, lease_until = $7, updated_at = $1
FROM chosen, events e, endpoints p
WHERE d.seq = chosen.seq AND e.id = d.event_id AND p.id = d.endpoint_id
RETURNING d.id, d.tenant_id, d.event_id, e.type AS event_type, d.endpoint_id, d.attempt_count,
          p.url, p.rate_limit, e.payload, p.secret, p.previous_secret,
          p.previous_secret_expires_at, p.signature_schemes`;

export function claimQuery(pool: pg.Pool) {
  return async (input: {
    now: number;
    limit: number;
    leaseUntil: number;
    owner: string;
    excludeEndpoints: readonly string[];
    perEndpoint: number;
    shares?: Readonly<Record<string, number>> | undefined;
  }): Promise<ClaimedDelivery[]> => {
    const { rows } = await pool.query<ClaimRecord>({
      name: "deliveries-claim",
      text: CLAIM,
      values: [
        input.now,
        input.excludeEndpoints,
        input.limit * 4,
        input.perEndpoint,
        input.limit,
        input.owner,
        input.leaseUntil,
        JSON.stringify(input.shares ?? {}),
      ],
    });
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
      }),
    );
  };
}
