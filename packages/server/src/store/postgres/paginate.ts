import type pg from "pg";
import { cursorStatement, type ListQuery, pageStatement } from "../list-query.ts";
import type { ListOptions, Page } from "../types.ts";

export const placeholder = (n: number) => `$${n}`;

/**
 * Cursor pagination, newest first, as Stripe lists (see sqlite/paginate.ts). Returns
 * `undefined` when a cursor names no row of this list.
 */
export async function paginate<R>(
  db: pg.Pool,
  query: ListQuery,
  options: ListOptions,
): Promise<Page<R> | undefined> {
  let cursor: unknown[] | undefined;
  const cursorId = options.startingAfter ?? options.endingBefore;
  if (cursorId !== undefined) {
    const s = cursorStatement(query, cursorId, placeholder);
    const found = await db.query({ text: s.text, values: s.values, rowMode: "array" });
    if (found.rows.length === 0) return undefined;
    cursor = found.rows[0] as unknown[];
  }
  const page = pageStatement(query, options, cursor, placeholder);
  const { rows } = await db.query(page.text, page.values);
  const hasMore = rows.length > options.limit;
  if (hasMore) rows.pop();
  if (page.backwards) rows.reverse();
  return { data: rows as R[], hasMore };
}
