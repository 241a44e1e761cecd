import type Database from "better-sqlite3";
import { countsAtInsert } from "../endpoint-counts.ts";
import { eventList, failingAtInsert } from "../list-query.ts";
import { eventDeltas } from "../rollups.ts";
import type { CreateEventResult, EventFilters, EventRow, NewEventRows, Page } from "../types.ts";
import { endpointCountQueries } from "./endpoint-counts.ts";
import { cursorError } from "./endpoints.ts";
import { idempotency } from "./idempotency.ts";
import { paginate } from "./paginate.ts";
import { rollupQueries } from "./rollups.ts";
import { type EventRecord, toEvent } from "./rows.ts";

export function eventQueries(db: Database.Database) {
  const keys = idempotency(db);
  const rollups = rollupQueries(db);
  const counts = endpointCountQueries(db);
  const insertEvent = db.prepare(
    "INSERT INTO events (id, tenant_id, type, created_at, payload, idempotency_key, ordering_key, failing_deliveries, trace_parent, trace_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const insertDelivery = db.prepare(
    "INSERT INTO deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, lease_owner, lease_until, ordering_key, sequence, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
  );
  // A keyed delivery's place in its (endpoint, key) sequence: the commit order of its event.
  const nextSequence = db.prepare(`
    INSERT INTO ordering_keys (endpoint_id, ordering_key, last_sequence) VALUES (?, ?, 1)
    ON CONFLICT (endpoint_id, ordering_key) DO UPDATE SET last_sequence = last_sequence + 1
    RETURNING last_sequence`);
  const byId = db.prepare("SELECT * FROM events WHERE tenant_id = ? AND id = ?");

  const createOne = (item: NewEventRows): CreateEventResult => {
    const { event, deliveries, idempotency: key } = item;
    if (key !== undefined) {
      const claim = keys.claim(key, event.id, event.createdAt);
      if (claim.kind === "conflict") return claim;
      if (claim.kind === "replay") return { kind: "replayed", eventId: claim.resourceId };
    }
    insertEvent.run(
      event.id,
      event.tenantId,
      event.type,
      event.createdAt,
      event.payload,
      event.idempotencyKey,
      event.orderingKey,
      failingAtInsert(deliveries),
      event.traceParent,
      event.traceState,
    );
    for (const d of deliveries) {
      if (d.orderingKey !== null) {
        const allocated = nextSequence.get(d.endpointId, d.orderingKey) as {
          last_sequence: number;
        };
        d.sequence = allocated.last_sequence;
      }
      insertDelivery.run(
        d.id,
        d.tenantId,
        d.eventId,
        d.endpointId,
        d.status,
        d.nextAttemptAt,
        d.leaseOwner,
        d.leaseUntil,
        d.orderingKey,
        d.sequence,
        d.createdAt,
        d.updatedAt,
      );
    }
    counts.add(countsAtInsert(deliveries));
    return { kind: "created", event, deliveries: deliveries.length };
  };
  const create = db.transaction((items: readonly NewEventRows[]) => {
    const results: CreateEventResult[] = [];
    for (let i = 0; i < items.length; i++) {
      const batch = items[i]!.batch;
      if (batch !== undefined) {
        const claim = keys.claim(batch.idempotency, items[i]!.event.id, items[i]!.event.createdAt);
        if (claim.kind === "conflict") {
          for (let n = 0; n < batch.size; n++) results.push({ kind: "conflict", batch: true });
          i += batch.size - 1;
          continue;
        }
      }
      results.push(createOne(items[i]!));
    }
    rollups.add(eventDeltas(results.flatMap((r) => (r.kind === "created" ? [r.event] : []))));
    return results;
  });

  return {
    // Synced afterwards by the store's syncCommits (wal-sync.ts), not by a FULL commit.
    create: (items: readonly NewEventRows[]) => create.immediate(items),
    get(tenantId: string, id: string): EventRow | undefined {
      const row = byId.get(tenantId, id) as EventRecord | undefined;
      return row && toEvent(row);
    },
    list(tenantId: string, filters: EventFilters): Page<EventRow> {
      const page = paginate<EventRecord>(db, eventList(tenantId, filters), filters);
      if (page === undefined) throw cursorError(filters);
      return { data: page.data.map(toEvent), hasMore: page.hasMore };
    },
    pendingCounts(eventIds: string[]): Map<string, number> {
      const counts = new Map<string, number>();
      if (eventIds.length === 0) return counts;
      const rows = db
        .prepare(
          `SELECT event_id, COUNT(*) AS n FROM deliveries WHERE event_id IN (${eventIds.map(() => "?").join(",")}) AND status IN ('pending', 'in_flight') GROUP BY event_id`,
        )
        .all(...eventIds) as { event_id: string; n: number }[];
      for (const row of rows) counts.set(row.event_id, row.n);
      return counts;
    },
  };
}
