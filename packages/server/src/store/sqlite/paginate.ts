import type Database from "better-sqlite3";
import type { ListOptions, Page } from "../types.ts";

/**
 * Cursor pagination, newest first, as Stripe lists: `starting_after` continues after an id,
 * `ending_before` pages back. `where` is a condition over the table's columns with its params.
 * Returns `undefined` when a cursor names no row of this list (the API answers 404-ish 400).
 */
export function paginate<R>(
  db: Database.Database,
  table: string,
  where: string,
  params: unknown[],
  options: ListOptions,
): Page<R> | undefined {
  let cursor = "";
  const cursorParams: unknown[] = [];
  const cursorId = options.startingAfter ?? options.endingBefore;
  if (cursorId !== undefined) {
    const row = db
      .prepare(`SELECT seq FROM ${table} WHERE id = ? AND ${where}`)
      .get(cursorId, ...params) as { seq: number } | undefined;
    if (row === undefined) return undefined;
    cursor = options.startingAfter !== undefined ? " AND seq < ?" : " AND seq > ?";
    cursorParams.push(row.seq);
  }
  const backwards = options.startingAfter === undefined && options.endingBefore !== undefined;
  const rows = db
    .prepare(
      `SELECT * FROM ${table} WHERE ${where}${cursor} ORDER BY seq ${backwards ? "ASC" : "DESC"} LIMIT ?`,
    )
    .all(...params, ...cursorParams, options.limit + 1) as R[];
  const hasMore = rows.length > options.limit;
  if (hasMore) rows.pop();
  if (backwards) rows.reverse();
  return { data: rows, hasMore };
}
