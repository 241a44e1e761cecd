import type Database from "better-sqlite3";
import {
  deltaValues,
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

/** Writes and reads per-minute rollups (store/rollups.ts). One writer: every row is shard 0. */
export function rollupQueries(db: Database.Database) {
  const upsert = db.prepare(`
    INSERT INTO rollups (scope, minute, shard, ${ROLLUP_COLUMNS.join(", ")})
    VALUES (?, ?, 0, ${ROLLUP_COLUMNS.map(() => "?").join(", ")})
    ON CONFLICT (scope, minute, shard) DO UPDATE SET
      ${ROLLUP_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`);
  const read = db.prepare(readRollupsSql(() => "?")).raw();
  const prune = db.prepare("DELETE FROM rollups WHERE minute < ?");
  return {
    /** Inside the caller's transaction. */
    add(deltas: readonly RollupDelta[]) {
      for (const d of deltas) upsert.run(d.scope, d.minute, ...deltaValues(d));
    },
    read: (scope: string, since: number, until: number): RollupMinute[] =>
      (read.all(scope, since, until) as number[][]).map(toRollupMinute),
    prune: (before: number) => prune.run(before).changes,
    /** The charts' timeline from rollups (whole minutes), else from the rows (timeline.ts). */
    timeline(query: TimelineQuery, raw: (query: TimelineQuery) => Timeline): Timeline {
      if (!rollupsAnswer(query)) return raw(query);
      const minutes = read.all(rollupScope(query), query.since, query.until) as number[][];
      return timelineFromRollups(query, minutes.map(toRollupMinute));
    },
  };
}
