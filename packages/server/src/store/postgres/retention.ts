import type pg from "pg";
import { rollupCutoff } from "../rollups.ts";
import type { PruneBatch } from "../types.ts";
import { lockCountsOf } from "./endpoint-counts.ts";
import { transaction } from "./pool.ts";
import { PRUNE_ROLLUPS } from "./rollups.ts";

interface ExaminedEvent {
  seq: number;
  id: string;
  tenant_id: string;
  idempotency_key: string | null;
  created_at: number;
  open: boolean;
}

// The idempotency operation ingest records event keys under (ingest/create-event.ts).
const EVENT_KEYS = "events.create";

const EXAMINE = `SELECT seq, id, tenant_id, idempotency_key, created_at,
    EXISTS (SELECT 1 FROM deliveries d
            WHERE d.event_id = events.id AND d.status IN ('pending', 'in_flight')) AS open
  FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`;
// Children first (attempts → deliveries → events); each walks an index.
const DELETE_ATTEMPTS = `DELETE FROM attempts WHERE delivery_id IN (
  SELECT id FROM deliveries WHERE event_id = ANY($1::text[]))`;
// The endpoints whose count rows the deletes lock (migration 0013), locked first.
const PARKED_OF = `SELECT DISTINCT endpoint_id FROM deliveries
  WHERE event_id = ANY($1::text[]) AND status IN ('failed', 'skipped')`;
const DELETE_DELIVERIES = "DELETE FROM deliveries WHERE event_id = ANY($1::text[])";
const DELETE_EVENTS = "DELETE FROM events WHERE id = ANY($1::text[])";
// An event's key goes in the commit that deletes the event (ingest reads the event a replay names).
const DELETE_EVENT_KEYS = `DELETE FROM idempotency_keys k
  USING unnest($1::text[], $2::text[], $3::text[]) AS e (tenant_id, key, id)
  WHERE k.tenant_id = e.tenant_id AND k.operation = '${EVENT_KEYS}' AND k.key = e.key
    AND k.resource_id = e.id`;
// The other keys (endpoint creates: as many as endpoints) go by age.
const DELETE_OTHER_KEYS = `DELETE FROM idempotency_keys
  WHERE operation <> '${EVENT_KEYS}' AND created_at < $1`;

/**
 * Retention, one batch per call, as sqlite/retention.ts: a walk of `seq` after the cursor,
 * deleting finished events older than the cutoff with their deliveries, attempts and key.
 */
export function retentionQueries(pool: pg.Pool) {
  return {
    prune: (cutoff: number, options: { limit: number; after?: number | undefined }) =>
      transaction(pool, async (client): Promise<PruneBatch> => {
        const result: PruneBatch = {
          events: 0,
          deliveries: 0,
          attempts: 0,
          idempotencyKeys: 0,
          next: undefined,
        };
        if (options.after === undefined) {
          result.idempotencyKeys += (await client.query(DELETE_OTHER_KEYS, [cutoff])).rowCount ?? 0;
          await client.query(PRUNE_ROLLUPS, [rollupCutoff(cutoff)]);
        }
        const examined = (
          await client.query<ExaminedEvent>(EXAMINE, [options.after ?? 0, options.limit])
        ).rows;
        const prunable: ExaminedEvent[] = [];
        let reachedWindow = false;
        for (const event of examined) {
          if (event.created_at >= cutoff) {
            reachedWindow = true;
            break;
          }
          if (!event.open) prunable.push(event);
        }
        if (prunable.length > 0) {
          const ids = prunable.map((e) => e.id);
          // Keys first, then count rows, as ingest takes them (a key, then its commit's counts):
          // the other way round, an ingest replaying a key of a pruned event in a batch that
          // also counts a skipped delivery could wait on this batch while it waited on the key.
          // Both go in one commit, so no reader sees a key without its event.
          const keyed = prunable.filter((e) => e.idempotency_key !== null);
          if (keyed.length > 0) {
            const deleted = await client.query(DELETE_EVENT_KEYS, [
              keyed.map((e) => e.tenant_id),
              keyed.map((e) => e.idempotency_key),
              keyed.map((e) => e.id),
            ]);
            result.idempotencyKeys += deleted.rowCount ?? 0;
          }
          await lockCountsOf(client, PARKED_OF, [ids]);
          result.attempts = (await client.query(DELETE_ATTEMPTS, [ids])).rowCount ?? 0;
          result.deliveries = (await client.query(DELETE_DELIVERIES, [ids])).rowCount ?? 0;
          result.events = (await client.query(DELETE_EVENTS, [ids])).rowCount ?? 0;
        }
        if (!reachedWindow && examined.length === options.limit) {
          result.next = examined.at(-1)!.seq;
        }
        return result;
      }),
  };
}
