import type Database from "better-sqlite3";
import {
  deltaValues,
  HISTOGRAM_BUCKETS,
  ROLLUP_COLUMNS,
  type RollupDelta,
  type RollupMinute,
  readRollupsSql,
  rollupScope,
  rollupsAnswer,
  timelineFromRollups,
  toRollupMinute,
} from "../rollups.ts";
import type { Timeline, TimelineQuery } from "../types.ts";

// A histogram is packed as little-endian uint32 counts; the upsert adds two of them with a
// function of this connection (only the store writes rollups).
const pack = (counts: readonly number[]) => {
  const buffer = Buffer.alloc(HISTOGRAM_BUCKETS * 4);
  counts.forEach((n, i) => {
    buffer.writeUInt32LE(n, i * 4);
  });
  return buffer;
};
// A plain loop into a typed array: a day's chart unpacks 1,440 of these.
const unpack = (buffer: Buffer) => {
  const counts = new Uint32Array(HISTOGRAM_BUCKETS);
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) counts[i] = buffer.readUInt32LE(i * 4);
  return counts;
};
const addPacked = (a: Buffer, b: Buffer) => {
  const sum = Buffer.alloc(HISTOGRAM_BUCKETS * 4);
  for (let i = 0; i < HISTOGRAM_BUCKETS * 4; i += 4) {
    sum.writeUInt32LE(a.readUInt32LE(i) + b.readUInt32LE(i), i);
  }
  return sum;
};

/** Writes and reads per-minute rollups (store/rollups.ts). One writer: every row is shard 0. */
export function rollupQueries(db: Database.Database) {
  db.function("hookline_histogram_add", { deterministic: true }, (a, b) =>
    addPacked(a as Buffer, b as Buffer),
  );
  const upsert = db.prepare(`
    INSERT INTO rollups (scope, minute, shard, ${ROLLUP_COLUMNS.join(", ")}, latency)
    VALUES (?, ?, 0, ${ROLLUP_COLUMNS.map(() => "?").join(", ")}, ?)
    ON CONFLICT (scope, minute, shard) DO UPDATE SET
      ${ROLLUP_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")},
      latency = hookline_histogram_add(latency, excluded.latency)`);
  const read = db.prepare(readRollupsSql(() => "?")).raw();
  const prune = db.prepare("DELETE FROM rollups WHERE minute < ?");
  const minutes = (scope: string, since: number, until: number): RollupMinute[] =>
    (read.all(scope, since, until) as unknown[][]).map((row) => toRollupMinute(row, unpack));
  return {
    /** Inside the caller's transaction. */
    add(deltas: readonly RollupDelta[]) {
      for (const d of deltas) {
        upsert.run(d.scope, d.minute, ...deltaValues(d), pack(d.histogram));
      }
    },
    read: minutes,
    prune: (before: number) => prune.run(before).changes,
    /** The charts' timeline from rollups (whole minutes), else from the rows (timeline.ts). */
    timeline(query: TimelineQuery, raw: (query: TimelineQuery) => Timeline): Timeline {
      if (!rollupsAnswer(query)) return raw(query);
      return timelineFromRollups(query, minutes(rollupScope(query), query.since, query.until));
    },
  };
}
