import type { DeliveryFilters, EventFilters, ListOptions } from "./types.ts";

/**
 * Every list the API and the dashboard make, as data both stores run: the table, the
 * conditions, and the columns the list is ordered by (newest first). Each has an index that
 * starts with its equality columns and ends with `order`, so a page costs its rows, not the
 * table's (test/list-plans.test.ts runs each through the planner). A cursor is the `order`
 * values of the row named by `starting_after` / `ending_before`, compared as a row value.
 */
export interface ListQuery {
  table: string;
  /** Conditions over the table's columns; `{n}` is the n-th of `params` (from 1). */
  where: string[];
  params: unknown[];
  order: readonly string[];
  /**
   * The column of the list's narrowest filter, when it has one that an index leads with: a page
   * walks that index and checks the other filters row by row. PostgreSQL's planner finds it from
   * its statistics; SQLite keeps none, and chose the tenant's index for one event's deliveries
   * (a page then walked the tenant's whole history), so its store names the index
   * (sqlite/paginate.ts).
   */
  by?: "event_id" | "endpoint_id" | "failing_deliveries" | "type" | "status";
}

/** How a dialect spells the n-th parameter (from 1): `?` (SQLite) or `$n` (PostgreSQL). */
export type Placeholder = (n: number) => string;

const fill = (text: string, offset: number, p: Placeholder) =>
  text.replace(/\{(\d+)\}/g, (_, n: string) => p(offset + Number(n)));

function builder(table: string, order: readonly string[]) {
  const q: ListQuery = { table, where: [], params: [], order };
  /** Adds a condition whose `{1}`, `{2}`… are `values`. */
  const add = (condition: string, ...values: unknown[]) => {
    const base = q.params.length;
    q.where.push(condition.replace(/\{(\d+)\}/g, (_, n: string) => `{${base + Number(n)}}`));
    q.params.push(...values);
  };
  return { q, add };
}

/** Events newest first: `created`, then insertion order among events of one millisecond. */
export function eventList(tenantId: string, filters: EventFilters): ListQuery {
  const { q, add } = builder("events", ["created_at", "seq"]);
  add("tenant_id = {1}", tenantId);
  if (filters.type?.endsWith(".*")) {
    // A prefix walks the (tenant, created) index and filters: it stays in order, so a page
    // costs the events it passes over, never a sort of every event of the prefix.
    add("type LIKE {1} ESCAPE '\\'", `${filters.type.slice(0, -1).replace(/[%_\\]/g, "\\$&")}%`);
  } else if (filters.type !== undefined) {
    add("type = {1}", filters.type);
    q.by = "type";
  }
  if (filters.createdGte !== undefined) add("created_at >= {1}", filters.createdGte);
  if (filters.createdLte !== undefined) add("created_at <= {1}", filters.createdLte);
  if (filters.deliverySuccess === false) {
    // Kept by the store in the transaction that records outcomes; a partial index holds only
    // the events where it is above zero.
    add("failing_deliveries > 0");
    q.by = "failing_deliveries"; // failing events are few, whatever their type
  } else if (filters.deliverySuccess === true) {
    // Most events qualify, so the list walks the (tenant, created) index and looks up each
    // event's deliveries by deliveries_event. `OFFSET 0` keeps PostgreSQL from turning the
    // NOT EXISTS into an anti-join, which hashes every unfinished delivery of the table.
    add(
      "failing_deliveries = 0 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.status <> 'succeeded' LIMIT 1 OFFSET 0)",
    );
  }
  return q;
}

/**
 * The deliveries an event's insert counts in `failing_deliveries`: they are inserted without an
 * attempt, so only one inserted `failed` counts (migration 0006 keeps the count from then on).
 */
export function failingAtInsert(deliveries: readonly { status: string }[]): number {
  let n = 0;
  for (const d of deliveries) if (d.status === "failed") n++;
  return n;
}

/** Deliveries newest first, by event, endpoint and status. */
export function deliveryList(tenantId: string, filters: DeliveryFilters): ListQuery {
  const { q, add } = builder("deliveries", ["seq"]);
  add("tenant_id = {1}", tenantId);
  if (filters.eventId !== undefined) add("event_id = {1}", filters.eventId);
  if (filters.endpointId !== undefined) add("endpoint_id = {1}", filters.endpointId);
  if (filters.status !== undefined) add("status = {1}", filters.status);
  // An event has a delivery per endpoint; an endpoint, a share of the tenant's.
  if (filters.eventId !== undefined) q.by = "event_id";
  else if (filters.endpointId !== undefined) q.by = "endpoint_id";
  else if (filters.status !== undefined) q.by = "status";
  return q;
}

/** A list over `seq` alone (endpoints, tenants, API keys: a tenant has few). */
export function seqList(table: string, where: string, params: unknown[]): ListQuery {
  return { table, where: [where], params, order: ["seq"] };
}

export const endpointList = (tenantId: string) =>
  seqList("endpoints", "tenant_id = {1}", [tenantId]);

/** A tenant's API keys, or every key (the root key's view). */
export const apiKeyList = (tenantId: string | undefined) =>
  tenantId === undefined
    ? seqList("api_keys", "TRUE", [])
    : seqList("api_keys", "tenant_id = {1}", [tenantId]);

/** The statement that reads the cursor row's `order` values, or nothing if it is not listed. */
export function cursorStatement(q: ListQuery, id: unknown, p: Placeholder) {
  return {
    text: `SELECT ${q.order.join(", ")} FROM ${q.table} WHERE ${q.where.map((w) => fill(w, 0, p)).join(" AND ")} AND id = ${p(q.params.length + 1)}`,
    values: [...q.params, id],
  };
}

/**
 * The statement that reads one page: `limit + 1` rows (the extra one says `has_more`), after
 * the cursor's values when there is one. `ending_before` reads upwards; the caller reverses.
 * `from` is the table as the store names it (SQLite adds the index to read it by).
 */
export function pageStatement(
  q: ListQuery,
  options: ListOptions,
  cursor: readonly unknown[] | undefined,
  p: Placeholder,
  from: string = q.table,
) {
  const backwards = options.startingAfter === undefined && options.endingBefore !== undefined;
  const values = [...q.params];
  const where = q.where.map((w) => fill(w, 0, p));
  if (cursor !== undefined) {
    const marks = cursor.map((_, i) => p(values.length + i + 1));
    values.push(...cursor);
    const [left, right] =
      q.order.length === 1 ? [q.order[0], marks[0]] : [`(${q.order})`, `(${marks})`];
    where.push(`${left} ${backwards ? ">" : "<"} ${right}`);
  }
  values.push(options.limit + 1);
  const direction = backwards ? "ASC" : "DESC";
  return {
    text: `SELECT * FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${q.order.map((c) => `${c} ${direction}`).join(", ")} LIMIT ${p(values.length)}`,
    values,
    backwards,
  };
}

/**
 * Every list the stores run, by name: test/list-plans.test.ts plans each of them over every
 * combination of its filters, so a list added here without an index fails there.
 */
export const LISTS = {
  events: eventList,
  deliveries: deliveryList,
  endpoints: endpointList,
  apiKeys: apiKeyList,
} as const;
