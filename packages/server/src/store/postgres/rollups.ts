import type pg from "pg";
import {
  deltaValues,
  ROLLUP_COLUMNS,
  type RollupDelta,
  type RollupMinute,
  readRollupsSql,
  toRollupMinute,
} from "../rollups.ts";

// Deltas arrive sorted by scope and minute (store/rollups.ts) and are inserted in that order,
// so two transactions lock shared rows alike. A tenant's rows go to this connection's shard.
const UPSERT = `INSERT INTO rollups (scope, minute, shard, ${ROLLUP_COLUMNS.join(", ")}, latency)
  SELECT r.scope, r.minute, CASE WHEN starts_with(r.scope, 'tn_') THEN pg_backend_pid() % 8 ELSE 0 END,
    ${ROLLUP_COLUMNS.map((c) => `r.${c}`).join(", ")}, r.latency
  FROM jsonb_to_recordset($1::jsonb)
    AS r (scope text, minute bigint, ${ROLLUP_COLUMNS.map((c) => `${c} integer`).join(", ")},
          latency integer[])
  ORDER BY r.scope, r.minute
  ON CONFLICT (scope, minute, shard) DO UPDATE SET
    ${ROLLUP_COLUMNS.map((c) => `${c} = rollups.${c} + excluded.${c}`).join(", ")},
    latency = ARRAY(SELECT h.a + h.b
                    FROM unnest(rollups.latency, excluded.latency) WITH ORDINALITY AS h (a, b, i)
                    ORDER BY h.i)`;
const READ = readRollupsSql((n) => `$${n}`);

/** Writes (inside the caller's transaction) and reads per-minute rollups. */
export async function addRollups(client: pg.PoolClient, deltas: readonly RollupDelta[]) {
  if (deltas.length === 0) return;
  const rows = deltas.map((d) => {
    const values = deltaValues(d);
    return Object.fromEntries([
      ["scope", d.scope],
      ["minute", d.minute],
      ...ROLLUP_COLUMNS.map((c, i) => [c, values[i]]),
      ["latency", d.histogram],
    ]);
  });
  await client.query({ name: "rollups-add", text: UPSERT, values: [JSON.stringify(rows)] });
}

export async function readRollups(
  pool: pg.Pool,
  scope: string,
  since: number,
  until: number,
): Promise<RollupMinute[]> {
  const { rows } = await pool.query<unknown[]>({
    name: "rollups-read",
    text: READ,
    values: [scope, since, until],
    rowMode: "array",
  });
  return rows.map((row) => toRollupMinute(row, (latency: number[]) => latency));
}

export const PRUNE_ROLLUPS = "DELETE FROM rollups WHERE minute < $1";
