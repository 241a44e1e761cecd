import type Database from "better-sqlite3";
import { cursorStatement, type ListQuery, pageStatement } from "../list-query.ts";
import type { ListOptions, Page } from "../types.ts";

export const placeholder = () => "?";

/**
 * The index a list's page reads, by its narrowest filter (ListQuery.by): SQLite keeps no
 * statistics, and among indexes that each fit one filter it may pick the tenant's, so one
 * event's deliveries walked every delivery of the tenant (test/list-plans.test.ts). A list
 * without one reads what the planner picks: the tenant's index in its order.
 */
const INDEXES: Record<string, string> = {
  "deliveries event_id": "deliveries_event",
  "deliveries endpoint_id": "deliveries_endpoint",
  "deliveries status": "deliveries_tenant_status",
  "events failing_deliveries": "events_failing",
  "events type": "events_tenant_type",
};
export const listSource = (q: ListQuery) => {
  const index = q.by === undefined ? undefined : INDEXES[`${q.table} ${q.by}`];
  if (q.by !== undefined && index === undefined) {
    throw new Error(`paginate: no index for ${q.table} by ${q.by}`);
  }
  return index === undefined ? q.table : `${q.table} INDEXED BY ${index}`;
};

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
  const page = pageStatement(query, options, cursor, placeholder, listSource(query));
  const rows = db.prepare(page.text).all(...page.values) as R[];
  const hasMore = rows.length > options.limit;
  if (hasMore) rows.pop();
  if (page.backwards) rows.reverse();
  return { data: rows, hasMore };
}
