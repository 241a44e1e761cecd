import type pg from "pg";
import { countsAtInsert } from "../endpoint-counts.ts";
import { eventList, failingAtInsert } from "../list-query.ts";
import { eventDeltas } from "../rollups.ts";
import { cursorError } from "../sqlite/endpoints.ts";
import type {
  CreateEventResult,
  DeliveryRow,
  EventFilters,
  EventRow,
  NewEventRows,
  Page,
} from "../types.ts";
import { addCounts } from "./endpoint-counts.ts";
import { claimKey } from "./idempotency.ts";
import { allocateSequences } from "./ordering-keys.ts";
import { paginate } from "./paginate.ts";
import { notifyDue, transaction } from "./pool.ts";
import { addRollups } from "./rollups.ts";
import { type EventRecord, toEvent } from "./rows.ts";

// One statement per table for a whole commit batch: a round trip per row would cap a node's
// ingest at what the network latency allows, not what the database can write.
const INSERT_EVENTS = `INSERT INTO events (id, tenant_id, type, created_at, payload, idempotency_key,
    ordering_key, trace_parent, trace_state, failing_deliveries)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[], $6::text[],
                       $7::text[], $8::text[], $9::text[], $10::integer[])`;
const INSERT_DELIVERIES = `INSERT INTO deliveries (id, tenant_id, event_id, endpoint_id, status,
    attempt_count, next_attempt_at, lease_owner, lease_until, created_at, updated_at,
    ordering_key, sequence)
  SELECT d.id, d.tenant_id, d.event_id, d.endpoint_id, d.status, 0, d.next_attempt_at,
         d.lease_owner, d.lease_until, d.created_at, d.updated_at, d.ordering_key, d.sequence
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
              $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[], $12::bigint[])
    AS d (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, lease_owner,
          lease_until, created_at, updated_at, ordering_key, sequence)`;

export function eventQueries(pool: pg.Pool) {
  return {
    /**
     * Accepted = committed. Pending deliveries NOTIFY in the same transaction: PostgreSQL sends
     * the notification at commit, never for a rollback, so a worker never wakes for rows it
     * cannot see yet, and never misses ones it can.
     */
    create: (items: readonly NewEventRows[]) =>
      transaction(pool, (client) => insertEvents(client, items)),
    async get(tenantId: string, id: string): Promise<EventRow | undefined> {
      const { rows } = await pool.query<EventRecord>({
        name: "events-get",
        text: "SELECT * FROM events WHERE tenant_id = $1 AND id = $2",
        values: [tenantId, id],
      });
      return rows[0] && toEvent(rows[0]);
    },
    async list(tenantId: string, filters: EventFilters): Promise<Page<EventRow>> {
      const page = await paginate<EventRecord>(pool, eventList(tenantId, filters), filters);
      if (page === undefined) throw cursorError(filters);
      return { data: page.data.map(toEvent), hasMore: page.hasMore };
    },
    async pendingCounts(eventIds: string[]): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      if (eventIds.length === 0) return counts;
      const { rows } = await pool.query<{ event_id: string; n: number }>({
        name: "events-pending-counts",
        text: `SELECT event_id, count(*) AS n FROM deliveries
               WHERE event_id = ANY($1::text[]) AND status IN ('pending', 'in_flight') GROUP BY event_id`,
        values: [eventIds],
      });
      for (const row of rows) counts.set(row.event_id, row.n);
      return counts;
    },
  };
}

/**
 * Inserts a commit batch's events with their deliveries, in the caller's transaction: the API's
 * commit queue and the outbox relay (outbox.ts) share it, so an event is the same whichever
 * way it came in.
 */
export async function insertEvents(
  client: pg.PoolClient,
  items: readonly NewEventRows[],
): Promise<CreateEventResult[]> {
  const results: CreateEventResult[] = [];
  const events: EventRow[] = [];
  const failingCounts: number[] = [];
  const deliveries: DeliveryRow[] = [];
  for (let i = 0; i < items.length; i++) {
    const { event, deliveries: rows, idempotency: key, batch } = items[i]!;
    if (batch !== undefined) {
      const claim = await claimKey(client, batch.idempotency, event.id, event.createdAt);
      if (claim.kind === "conflict") {
        for (let n = 0; n < batch.size; n++) results.push({ kind: "conflict", batch: true });
        i += batch.size - 1;
        continue;
      }
    }
    if (key !== undefined) {
      const claim = await claimKey(client, key, event.id, event.createdAt);
      if (claim.kind === "conflict") {
        results.push(claim);
        continue;
      }
      if (claim.kind === "replay") {
        results.push({ kind: "replayed", eventId: claim.resourceId });
        continue;
      }
    }
    events.push(event);
    failingCounts.push(failingAtInsert(rows));
    deliveries.push(...rows);
    results.push({ kind: "created", event, deliveries: rows.length });
  }
  if (events.length > 0) {
    await client.query({
      name: "events-insert",
      text: INSERT_EVENTS,
      values: columns(events, [
        (e) => e.id,
        (e) => e.tenantId,
        (e) => e.type,
        (e) => e.createdAt,
        (e) => e.payload,
        (e) => e.idempotencyKey,
        (e) => e.orderingKey,
        (e) => e.traceParent,
        (e) => e.traceState,
      ]).concat([failingCounts]),
    });
  }
  // Keys, rollup rows, count rows (with a key-share lock of their endpoints), ordering keys,
  // then deliveries: every transaction that takes more than one of them takes them in this
  // order (record-results.ts, retention.ts, an endpoint's delete), so none waits on another
  // that waits on it. Counts go before the ordering keys: a delete holds its endpoint and
  // cancels a keyed delivery in flight, whose trigger (migration 0005) updates the key's row.
  await addRollups(client, eventDeltas(events));
  await addCounts(client, countsAtInsert(deliveries));
  if (deliveries.length > 0) {
    await allocateSequences(client, deliveries);
    await client.query({
      name: "deliveries-insert",
      text: INSERT_DELIVERIES,
      values: columns(deliveries, [
        (d) => d.id,
        (d) => d.tenantId,
        (d) => d.eventId,
        (d) => d.endpointId,
        (d) => d.status,
        (d) => d.nextAttemptAt,
        (d) => d.leaseOwner,
        (d) => d.leaseUntil,
        (d) => d.createdAt,
        (d) => d.updatedAt,
        (d) => d.orderingKey,
        (d) => d.sequence,
      ]),
    });
  }
  // The notification names the endpoints left pending, so a node whose lanes are full
  // marks them instead of running a claim per commit to learn nothing (dispatch/claimer.ts).
  const pending = new Set(
    deliveries.filter((d) => d.status === "pending").map((d) => d.endpointId),
  );
  if (pending.size > 0) await client.query(notifyDue(pending));
  return results;
}

/** Rows → one array per column, for `unnest`. */
export function columns<T>(rows: readonly T[], pick: ((row: T) => unknown)[]): unknown[][] {
  return pick.map((f) => rows.map(f));
}
