import type Database from "better-sqlite3";
import type { DeliveryStatus } from "../../src/domain/delivery-status.ts";
import { IdPrefix, newId } from "../../src/ids.ts";
import type { DeliveryRow, NewEventRows, Store } from "../../src/store/types.ts";

export interface SeededEvent {
  id: string;
  deliveries: string[];
}

/**
 * Writes events as ingest would, created at `at`, each with one delivery per status in
 * `statuses`, an idempotency key, and two attempts per delivery that has been tried. Attempts go
 * in through `raw` (a second connection to the same file) rather than `recordResults`, whose
 * signature carries the failure ladder and is not what these tests are about.
 */
export async function seedEvents(
  store: Store,
  raw: Database.Database,
  input: { at: number; count: number; statuses: DeliveryStatus[]; payloadBytes?: number },
): Promise<SeededEvent[]> {
  const { at } = input;
  const items: NewEventRows[] = [];
  for (let i = 0; i < input.count; i++) {
    const eventId = newId(IdPrefix.event, at);
    const deliveries = input.statuses.map(
      (status): DeliveryRow => ({
        id: newId(IdPrefix.delivery, at),
        tenantId: "tn_default",
        eventId,
        endpointId: "we_seeded",
        status,
        attemptCount: tried(status) ? 2 : 0,
        nextAttemptAt: status === "pending" ? at + 3_600_000 : null,
        lastAttemptAt: tried(status) ? at : null,
        lastStatusCode: null,
        lastError: null,
        leaseOwner: status === "in_flight" ? "seed" : null,
        leaseUntil: status === "in_flight" ? at + 60_000 : null,
        orderingKey: null,
        sequence: null,
        createdAt: at,
        updatedAt: at,
      }),
    );
    items.push({
      event: {
        id: eventId,
        tenantId: "tn_default",
        type: "order.paid",
        createdAt: at,
        payload: Buffer.alloc(input.payloadBytes ?? 200, "x"),
        idempotencyKey: `key-${eventId}`,
        orderingKey: null,
        traceParent: null,
        traceState: null,
      },
      deliveries,
      idempotency: {
        tenantId: "tn_default",
        key: `key-${eventId}`,
        operation: "events.create",
        requestHash: "hash",
      },
    });
  }
  await store.createEvents(items);
  const attempt = raw.prepare(
    "INSERT INTO attempts (id, delivery_id, created_at, duration_ms, status_code, request_headers) VALUES (?, ?, ?, 12, 500, '{}')",
  );
  raw.transaction(() => {
    for (const { deliveries } of items) {
      for (const d of deliveries) {
        if (!tried(d.status)) continue;
        attempt.run(newId(IdPrefix.attempt, at), d.id, at);
        attempt.run(newId(IdPrefix.attempt, at), d.id, at + 5000);
      }
    }
  })();
  return items.map(({ event, deliveries }) => ({
    id: event.id,
    deliveries: deliveries.map((d) => d.id),
  }));
}

function tried(status: DeliveryStatus): boolean {
  return status !== "pending" && status !== "cancelled" && status !== "skipped";
}

/** Row counts straight from the file, not through the store. */
export function countRows(raw: Database.Database) {
  const count = (table: string) =>
    (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    events: count("events"),
    deliveries: count("deliveries"),
    attempts: count("attempts"),
    idempotencyKeys: count("idempotency_keys"),
  };
}
