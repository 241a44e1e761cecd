import type pg from "pg";
import type { ListOptions, Page } from "../types.ts";

/**
 * Cursor pagination, newest first, as Stripe lists (see sqlite/paginate.ts). `where` uses
 * `$1…$n` for `params`. Returns `undefined` when a cursor names no row of this list.
 */
export async function paginate<R>(
  db: pg.Pool,
  table: string,
  where: string,
  params: unknown[],
  options: ListOptions,
): Promise<Page<R> | undefined> {
  let cursor = "";
  const values = [...params];
  const cursorId = options.startingAfter ?? options.endingBefore;
  if (cursorId !== undefined) {
    const found = await db.query<{ seq: number }>(
      `SELECT seq FROM ${table} WHERE id = $${params.length + 1} AND ${where}`,
      [...params, cursorId],
    );
    if (found.rows.length === 0) return undefined;
    values.push(found.rows[0]!.seq);
    cursor = ` AND seq ${options.startingAfter !== undefined ? "<" : ">"} $${values.length}`;
  }
  const backwards = options.startingAfter === undefined && options.endingBefore !== undefined;
  values.push(options.limit + 1);
  const { rows } = await db.query(
    `SELECT * FROM ${table} WHERE ${where}${cursor} ORDER BY seq ${backwards ? "ASC" : "DESC"} LIMIT $${values.length}`,
    values,
  );
  const hasMore = rows.length > options.limit;
  if (hasMore) rows.pop();
  if (backwards) rows.reverse();
  return { data: rows as R[], hasMore };
}
