import type Database from "better-sqlite3";
import { cursorStatement, type ListQuery, pageStatement } from "../list-query.ts";
import type { ListOptions, Page } from "../types.ts";

export const placeholder = () => "?";

/**
 * Cursor pagination, newest first, as Stripe lists: `starting_after` continues after an id,
 * `ending_before` pages back (the statements are in list-query.ts). Returns `undefined` when a
 * cursor names no row of this list (the API answers 404-ish 400).
 */
export function paginate<R>(
  db: Database.Database,
  query: ListQuery,
  options: ListOptions,
): Page<R> | undefined {
  let cursor: unknown[] | undefined;
  const cursorId = options.startingAfter ?? options.endingBefore;
  if (cursorId !== undefined) {
    const s = cursorStatement(query, cursorId, placeholder);
    const row = db
      .prepare(s.text)
      .raw()
      .get(...s.values) as unknown[] | undefined;
    if (row === undefined) return undefined;
    cursor = row;
  }
  const page = pageStatement(query, options, cursor, placeholder);
  const rows = db.prepare(page.text).all(...page.values) as R[];
  const hasMore = rows.length > options.limit;
  if (hasMore) rows.pop();
  if (page.backwards) rows.reverse();
  return { data: rows, hasMore };
}
