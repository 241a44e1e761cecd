// Ordered delivery per key (docs/ordering.md), as both stores enforce it inside the claim: in the
// part that reads named endpoints through their index and in the scan of the due index.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryStatus } from "../src/domain/delivery-status.ts";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import type { ClaimedDelivery, Store } from "../src/store/types.ts";
import { factories, type Opened } from "./support/store-factories.ts";
import { endpointRow, eventRows, outcome, TENANT } from "./support/store-rows.ts";

const T0 = 1_750_000_000_000;
const LADDER = DEFAULT_LADDER;

type Part = "named" | "scan";
const PARTS: Part[] = ["named", "scan"];

describe.each(factories)("ordered keys on the $name store", ({ open }) => {
  let store: Store;
  let opened: Opened;
  let endpointId: string;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
    const endpoint = endpointRow(T0, { ordering: "per_key" });
    await store.createEndpoint(endpoint);
    endpointId = endpoint.id;
  });
  afterEach(() => opened.cleanup());

  /** Claims through one part of the claim only. */
  const claim = (part: Part, now = T0, owner = "node-a") =>
    store.claimDue({
      now,
      limit: 100,
      leaseUntil: now + 60_000,
      owner,
      excludeEndpoints: [],
      perEndpoint: 32,
      ...(part === "named" ? { shares: { [endpointId]: 32 }, scan: false } : {}),
    });
  const events = (keys: (string | undefined)[], at = T0) =>
    store.createEvents(
      keys.map((key, i) =>
        eventRows(at + i, [endpointId], key === undefined ? {} : { orderingKey: key }),
      ),
    );
  const keysOf = (claimed: ClaimedDelivery[]) =>
    claimed.map((d) => (d.orderingKey === null ? "-" : `${d.orderingKey}:${d.sequence}`)).sort();
  const succeed = (claimed: ClaimedDelivery[], at: number) =>
    store.recordResults(
      claimed.map((d) => ({ ...outcome(d, at, { ok: true }), leaseOwner: "node-a" })),
      at,
      LADDER,
    );

  it("numbers each key's deliveries in creation order, and keeps counting across commits", async () => {
    await events(["cus_1", "cus_2", "cus_1"]);
    await events(["cus_1", undefined], T0 + 10);
    const page = await store.listDeliveries(TENANT, { limit: 10, endpointId });
    const numbered = page.data
      .reverse()
      .map((d) => (d.orderingKey === null ? null : `${d.orderingKey}:${d.sequence}`));
    expect(numbered).toEqual(["cus_1:1", "cus_2:1", "cus_1:2", "cus_1:3", null]);
  });

  it.each(PARTS)(
    "claims (%s part) one delivery per key, the oldest, beside unkeyed ones, and the next once it succeeded",
    async (part) => {
      await events(["a", "a", "b", undefined, "a", "b", undefined]);
      const first = await claim(part, T0 + 100);
      expect(keysOf(first)).toEqual(["-", "-", "a:1", "b:1"]);
      expect(keysOf(await claim(part, T0 + 101))).toEqual([]);
      await succeed(
        first.filter((d) => d.orderingKey === "a"),
        T0 + 102,
      );
      expect(keysOf(await claim(part, T0 + 103))).toEqual(["a:2"]);
    },
  );

  it.each(PARTS)(
    "holds a key behind its failing head until the retry, and goes on once the head exhausted (%s part)",
    async (part) => {
      await events(["a", "a", "b"]);
      const [a1, b1] = (await claim(part, T0 + 100)).sort((x, y) =>
        x.orderingKey!.localeCompare(y.orderingKey!),
      );
      await store.recordResults(
        [
          {
            ...outcome(a1!, T0 + 101, { ok: false, nextAttemptAt: T0 + 5_000 }),
            leaseOwner: "node-a",
          },
        ],
        T0 + 101,
        LADDER,
      );
      await succeed([b1!], T0 + 101);
      expect(keysOf(await claim(part, T0 + 200))).toEqual([]);
      const retried = await claim(part, T0 + 5_000);
      expect(keysOf(retried)).toEqual(["a:1"]);
      await store.recordResults(
        [
          {
            ...outcome(retried[0]!, T0 + 5_001, { ok: false, nextAttemptAt: null }),
            leaseOwner: "node-a",
          },
        ],
        T0 + 5_001,
        LADDER,
      );
      expect(keysOf(await claim(part, T0 + 5_002))).toEqual(["a:2"]);
    },
  );

  it.each(PARTS)(
    "a key goes on after its head's lease is given back, expires or is released (%s part)",
    async (part) => {
      await events(["a", "a"]);
      const [a1] = await claim(part, T0 + 100);
      expect(await store.releaseDeliveries([a1!.id], "node-a", T0 + 100, T0 + 100)).toBe(1);
      expect(keysOf(await claim(part, T0 + 101))).toEqual(["a:1"]);
      expect(await store.reclaimExpired(T0 + 101 + 60_001)).toBe(1);
      const again = await claim(part, T0 + 101 + 60_002);
      expect(keysOf(again)).toEqual(["a:1"]);
      await succeed(again, T0 + 101 + 60_003);
      expect(keysOf(await claim(part, T0 + 101 + 60_004))).toEqual(["a:2"]);
      expect(await store.releaseLeases("node-a", T0 + 101 + 60_005)).toBe(1);
      expect(keysOf(await claim(part, T0 + 101 + 60_006))).toEqual(["a:2"]);
    },
  );

  it.each(PARTS)(
    "a retried old delivery waits for the one in flight, then goes before the newer ones of its key (%s part)",
    async (part) => {
      await events(["a", "a", "a"]);
      const a1 = await claim(part, T0 + 100);
      await succeed(a1, T0 + 101);
      const a2 = await claim(part, T0 + 102);
      expect(keysOf(a2)).toEqual(["a:2"]);
      expect((await store.retryDelivery(TENANT, a1[0]!.id, T0 + 103))?.status).toBe("pending");
      expect(keysOf(await claim(part, T0 + 104))).toEqual([]);
      await succeed(a2, T0 + 105);
      expect(keysOf(await claim(part, T0 + 106))).toEqual(["a:1"]);
    },
  );

  it("recovered deliveries of a key go in their creation order", async () => {
    await store.updateEndpoint(
      { ...endpointRow(T0, { ordering: "per_key" }), id: endpointId, status: "disabled" },
      T0,
    );
    // Ingest gives a disabled endpoint skipped deliveries.
    await store.createEvents(
      [1, 2].map((i) =>
        eventRows(T0 + i, [endpointId], { orderingKey: "a", status: DeliveryStatus.skipped }),
      ),
    );
    await store.updateEndpoint(
      { ...endpointRow(T0, { ordering: "per_key" }), id: endpointId, status: "enabled" },
      T0 + 5,
    );
    expect(
      await store.recoverDeliveries({
        tenantId: TENANT,
        endpointId,
        since: T0,
        until: T0 + 10,
        now: T0 + 10,
      }),
    ).toBe(2);
    const first = await claim("named", T0 + 11);
    expect(keysOf(first)).toEqual(["a:1"]);
    await succeed(first, T0 + 12);
    expect(keysOf(await claim("scan", T0 + 13))).toEqual(["a:2"]);
  });

  it("two nodes claiming at once never hold two deliveries of one key", async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `k${i % 30}`);
    await events(keys);
    const held = new Map<string, string>();
    for (let round = 0; round < 4; round++) {
      const at = T0 + 1_000 * (round + 1);
      const claims = await Promise.all(
        ["node-a", "node-b", "node-c"].map((owner, i) =>
          store.claimDue({
            now: at,
            limit: 100,
            leaseUntil: at + 60_000,
            owner,
            excludeEndpoints: [],
            perEndpoint: 100,
            ...(i === 1 ? { shares: { [endpointId]: 100 }, scan: false } : {}),
          }),
        ),
      );
      held.clear();
      for (const d of claims.flat()) {
        expect(held.get(d.orderingKey!)).toBeUndefined();
        held.set(d.orderingKey!, d.id);
      }
      expect(held.size).toBe(30);
      const results = claims.flatMap((claimed, i) =>
        claimed.map((d) => ({
          ...outcome(d, at, { ok: true }),
          leaseOwner: ["node-a", "node-b", "node-c"][i]!,
        })),
      );
      await store.recordResults(results, at + 1, LADDER);
    }
    const left = await claim("scan", T0 + 10_000);
    expect(left).toEqual([]);
  });
});
