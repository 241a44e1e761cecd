import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import type { DeliveryRow, EndpointRow, Store } from "../src/store/types.ts";
import { freshDatabase } from "./support/postgres.ts";
import { factories } from "./support/store-factories.ts";
import { endpointRow, eventRows, outcome, TENANT } from "./support/store-rows.ts";

// `delivery_success=false` reads a per-event count the stores keep as deliveries change; these
// tests hold it equal to the definition over the deliveries themselves, after any history.

const T0 = 1_750_000_000_000;
const LADDER = { ...DEFAULT_LADDER, disableAfterMs: Number.MAX_SAFE_INTEGER };

/** The definition: a delivery failed for good, or is being retried after a failed attempt. */
const failing = (d: DeliveryRow) =>
  d.status === "failed" ||
  ((d.status === "pending" || d.status === "in_flight") && d.attemptCount > 0);

type Result = "ok" | "retry" | "exhaust" | "gone";
type Command =
  | { kind: "round"; results: Result[] }
  | { kind: "retry"; event: number; endpoint: number }
  | { kind: "disable" | "enable"; endpoint: number };

const ENDPOINTS = 3;
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("round" as const),
      results: fc.array(fc.constantFrom<Result>("ok", "retry", "retry", "exhaust", "gone"), {
        minLength: ENDPOINTS,
        maxLength: ENDPOINTS,
      }),
    }),
  },
  fc.record({
    kind: fc.constant("retry" as const),
    event: fc.nat(5),
    endpoint: fc.nat(ENDPOINTS - 1),
  }),
  fc.record({
    kind: fc.constantFrom("disable" as const, "enable" as const),
    endpoint: fc.nat(ENDPOINTS - 1),
  }),
);

async function play(store: Store, events: number, commands: Command[]) {
  const endpoints: EndpointRow[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    endpoints.push(endpointRow(T0 + i));
    await store.createEndpoint(endpoints[i]!);
  }
  const rows = Array.from({ length: events }, (_, i) =>
    eventRows(
      T0 + i,
      endpoints.map((e) => e.id),
    ),
  );
  await store.createEvents(rows);
  let now = T0 + 1000;
  for (const c of commands) {
    now += 10_000;
    if (c.kind === "round") {
      const claimed = await store.claimDue({
        now,
        limit: 100,
        leaseUntil: now + 60_000,
        owner: "node-a",
        excludeEndpoints: [],
        perEndpoint: 100,
      });
      const results = claimed.map((d) => {
        const result = c.results[endpoints.findIndex((e) => e.id === d.endpointId)] ?? "ok";
        return outcome(d, now, {
          ok: result === "ok",
          gone: result === "gone",
          ...(result === "gone" ? { status: 410 } : {}),
          nextAttemptAt: result === "exhaust" || result === "gone" ? null : now + 5000,
        });
      });
      await store.recordResults(results, now, LADDER);
    } else if (c.kind === "retry") {
      const event = rows[c.event % events]!;
      await store.retryDelivery(TENANT, event.deliveries[c.endpoint]!.id, now);
    } else {
      const endpoint = (await store.getEndpoint(TENANT, endpoints[c.endpoint]!.id))!;
      await store.updateEndpoint(
        { ...endpoint, status: c.kind === "disable" ? "disabled" : "enabled", updatedAt: now },
        now,
      );
    }
  }
  return rows.map((r) => r.event.id);
}

async function expectCountsMatchDeliveries(store: Store, eventIds: string[]) {
  const expected = { failing: [] as string[], succeeded: [] as string[] };
  for (const id of eventIds) {
    const deliveries = (await store.listDeliveries(TENANT, { eventId: id, limit: 100 })).data;
    if (deliveries.some(failing)) expected.failing.push(id);
    if (deliveries.every((d) => d.status === "succeeded")) expected.succeeded.push(id);
  }
  const list = async (deliverySuccess: boolean) =>
    (await store.listEvents(TENANT, { limit: 100, deliverySuccess })).data.map((e) => e.id).sort();
  expect(await list(false)).toEqual(expected.failing.sort());
  expect(await list(true)).toEqual(expected.succeeded.sort());
}

describe.each(factories)("delivery_success on the $name store", ({ open }) => {
  it("lists exactly the events with a failing delivery, after any history of attempts, retries, disables and re-enables", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(command, { maxLength: 12 }),
        async (events, commands) => {
          const { store, cleanup } = await open();
          try {
            const ids = await play(store, events, commands);
            await expectCountsMatchDeliveries(store, ids);
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});

describe.each(factories)(
  "an event stored with a failed delivery on the $name store",
  ({ open }) => {
    it("is listed by delivery_success=false from its insert on", async () => {
      const { store, cleanup } = await open();
      try {
        const endpoint = endpointRow(T0);
        await store.createEndpoint(endpoint);
        const rows = [
          eventRows(T0, [endpoint.id], { status: "failed" }),
          eventRows(T0 + 1, [endpoint.id], { status: "succeeded" }),
          eventRows(T0 + 2, [endpoint.id]),
        ];
        await store.createEvents(rows);
        await expectCountsMatchDeliveries(
          store,
          rows.map((r) => r.event.id),
        );
        const failing = await store.listEvents(TENANT, { limit: 10, deliverySuccess: false });
        expect(failing.data.map((e) => e.id)).toEqual([rows[0]!.event.id]);
      } finally {
        await cleanup();
      }
    });
  },
);

describe("delivery_success on PostgreSQL with several recorders", () => {
  it("records failures of deliveries of the same events from two nodes at once without a deadlock", async () => {
    const db = await freshDatabase();
    const [a, b] = [
      await createPostgresStore(db.url, { poolSize: 4 }),
      await createPostgresStore(db.url, { poolSize: 4 }),
    ];
    try {
      const [x, y] = [endpointRow(T0), endpointRow(T0 + 1)];
      await a.createEndpoint(x);
      await a.createEndpoint(y);
      // Delivery ids to y run against event order, so the two recorders' updates reach the
      // events in opposite orders unless the store orders its locks.
      const rows = Array.from({ length: 200 }, (_, i) => eventRows(T0 + i, [x.id, y.id]));
      const ys = rows.map((r) => r.deliveries[1]!.id).reverse();
      rows.forEach((r, i) => {
        r.deliveries[1]!.id = ys[i]!;
      });
      await a.createEvents(rows);
      for (let round = 1; round <= 3; round++) {
        const now = T0 + round * 60_000;
        const claim = (store: Store, endpoint: string, other: string) =>
          store.claimDue({
            now,
            limit: 500,
            leaseUntil: now + 60_000,
            owner: endpoint,
            excludeEndpoints: [other],
            perEndpoint: 500,
          });
        const [fromX, fromY] = [await claim(a, x.id, y.id), await claim(b, y.id, x.id)];
        expect(fromX.length + fromY.length).toBe(400);
        const fail = (d: (typeof fromX)[number]) =>
          outcome(d, now, { ok: false, nextAttemptAt: round === 3 ? null : now + 1000 });
        await Promise.all([
          a.recordResults(fromX.map(fail), now, LADDER),
          b.recordResults(fromY.map(fail), now, LADDER),
        ]);
      }
      const { rows: counts } = await db.pool.query<{ n: number; c: string }>(
        "SELECT failing_deliveries AS n, count(*) AS c FROM events GROUP BY 1",
      );
      expect(counts).toEqual([{ n: 2, c: "200" }]);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 60_000);
});
