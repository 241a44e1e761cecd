import type pg from "pg";
import type { DeliveryRow } from "../types.ts";

// Reserves, per (endpoint, key), as many sequence numbers as this commit has keyed deliveries,
// in one statement. Rows are locked in key order, so two commits sharing keys queue instead of
// deadlocking; a claim meanwhile skips a locked key (SKIP LOCKED) and the commit's NOTIFY
// brings it back.
const RESERVE = `
INSERT INTO ordering_keys (endpoint_id, ordering_key, last_sequence)
  SELECT endpoint_id, ordering_key, count(*) FROM unnest($1::text[], $2::text[])
    AS k (endpoint_id, ordering_key)
  GROUP BY endpoint_id, ordering_key ORDER BY endpoint_id, ordering_key
ON CONFLICT (endpoint_id, ordering_key)
  DO UPDATE SET last_sequence = ordering_keys.last_sequence + EXCLUDED.last_sequence
RETURNING endpoint_id, ordering_key, last_sequence`;

/**
 * Gives each keyed delivery its place in its (endpoint, key) sequence, in the order of `rows`
 * (the order of the commit's events): the commit order of its event.
 */
export async function allocateSequences(
  client: pg.PoolClient,
  rows: readonly DeliveryRow[],
): Promise<void> {
  const keyed = rows.filter((d) => d.orderingKey !== null);
  if (keyed.length === 0) return;
  const { rows: reserved } = await client.query<{
    endpoint_id: string;
    ordering_key: string;
    last_sequence: number;
  }>({
    name: "ordering-keys-reserve",
    text: RESERVE,
    values: [keyed.map((d) => d.endpointId), keyed.map((d) => d.orderingKey)],
  });
  const counts = new Map<string, number>();
  const slot = (d: DeliveryRow) => JSON.stringify([d.endpointId, d.orderingKey]);
  for (const d of keyed) counts.set(slot(d), (counts.get(slot(d)) ?? 0) + 1);
  const next = new Map<string, number>();
  for (const r of reserved) {
    const key = JSON.stringify([r.endpoint_id, r.ordering_key]);
    next.set(key, Number(r.last_sequence) - counts.get(key)! + 1);
  }
  for (const d of keyed) {
    const key = slot(d);
    const n = next.get(key)!;
    d.sequence = n;
    next.set(key, n + 1);
  }
}
