// `ordering_on_exhausted` (docs/ordering.md), as both stores enforce it inside the claim: on a
// `hold` endpoint a key whose oldest delivery failed after its last retry stays blocked until
// that delivery is retried or recovered, or the endpoint goes back to `skip`; other keys go on.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import type { ClaimedDelivery, EndpointRow, Store } from "../src/store/types.ts";
import { factories, type Opened } from "./support/store-factories.ts";
import { endpointRow, eventRows, outcome, TENANT } from "./support/store-rows.ts";

const T0 = 1_750_000_000_000;

type Part = "named" | "scan";
const PARTS: Part[] = ["named", "scan"];

describe.each(factories)("held keys on the $name store", ({ open }) => {
  let store: Store;
  let opened: Opened;
  let endpoint: EndpointRow;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
    endpoint = { ...endpointRow(T0, { ordering: "per_key" }), orderingOnExhausted: "hold" };
    await store.createEndpoint(endpoint);
    // a:1, a:2, b:1
    await store.createEvents(
      ["a", "a", "b"].map((key, i) => eventRows(T0 + i, [endpoint.id], { orderingKey: key })),
    );
  });
  afterEach(() => opened.cleanup());

  const claim = (part: Part, now: number) =>
    store.claimDue({
      now,
      limit: 100,
      leaseUntil: now + 60_000,
      owner: "node-a",
      excludeEndpoints: [],
      perEndpoint: 32,
      ...(part === "named" ? { shares: { [endpoint.id]: 32 }, scan: false } : {}),
    });
  const keysOf = (claimed: ClaimedDelivery[]) =>
    claimed.map((d) => `${d.orderingKey}:${d.sequence}`).sort();
  const record = (claimed: ClaimedDelivery[], at: number, ok: (d: ClaimedDelivery) => boolean) =>
    store.recordResults(
      claimed.map((d) => ({
        ...outcome(d, at, ok(d) ? { ok: true } : { ok: false, nextAttemptAt: null }),
        leaseOwner: "node-a",
      })),
      at,
      DEFAULT_LADDER,
    );
  /** Claims a:1 and b:1, exhausts a:1 and delivers b:1; returns a:1's id. */
  const exhaustHeadOfA = async (part: Part) => {
    const first = await claim(part, T0 + 100);
    expect(keysOf(first)).toEqual(["a:1", "b:1"]);
    await record(first, T0 + 101, (d) => d.orderingKey === "b");
    expect(
      (await store.getDelivery(TENANT, first.find((d) => d.orderingKey === "a")!.id))?.status,
    ).toBe("failed");
    return first.find((d) => d.orderingKey === "a")!.id;
  };

  it.each(PARTS)(
    "holds a key behind its exhausted head until that delivery is retried, then goes on in order (%s part)",
    async (part) => {
      const a1 = await exhaustHeadOfA(part);
      expect(await claim(part, T0 + 5_000)).toEqual([]);
      expect((await store.retryDelivery(TENANT, a1, T0 + 5_001))?.status).toBe("pending");
      const again = await claim(part, T0 + 5_002);
      expect(keysOf(again)).toEqual(["a:1"]);
      await record(again, T0 + 5_003, () => true);
      expect(keysOf(await claim(part, T0 + 5_004))).toEqual(["a:2"]);
    },
  );

  it.each(PARTS)(
    "a held head that fails again after its retry holds the key again (%s part)",
    async (part) => {
      const a1 = await exhaustHeadOfA(part);
      await store.retryDelivery(TENANT, a1, T0 + 200);
      await record(await claim(part, T0 + 201), T0 + 202, () => false);
      expect(await claim(part, T0 + 5_000)).toEqual([]);
    },
  );

  it("recovering the endpoint releases a held key, its head first", async () => {
    await exhaustHeadOfA("named");
    const requeued = await store.recoverDeliveries({
      tenantId: TENANT,
      endpointId: endpoint.id,
      since: T0,
      until: T0 + 200,
      now: T0 + 200,
    });
    expect(requeued).toBe(1);
    const head = await claim("scan", T0 + 201);
    expect(keysOf(head)).toEqual(["a:1"]);
    await record(head, T0 + 202, () => true);
    expect(keysOf(await claim("named", T0 + 203))).toEqual(["a:2"]);
  });

  it("switching the endpoint back to skip releases the keys it holds", async () => {
    await exhaustHeadOfA("scan");
    expect(await claim("named", T0 + 200)).toEqual([]);
    await store.updateEndpoint({ ...endpoint, orderingOnExhausted: "skip" }, T0 + 201);
    expect((await store.getEndpoint(TENANT, endpoint.id))?.orderingOnExhausted).toBe("skip");
    expect(keysOf(await claim("named", T0 + 202))).toEqual(["a:2"]);
  });

  it("an endpoint that skips goes on past an exhausted head", async () => {
    await store.updateEndpoint({ ...endpoint, orderingOnExhausted: "skip" }, T0 + 1);
    await exhaustHeadOfA("named");
    expect(keysOf(await claim("scan", T0 + 200))).toEqual(["a:2"]);
  });
});
