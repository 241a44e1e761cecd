// Work conservation past deliveries of a deleted endpoint, on both stores: a claim cancels the
// ones it chose and hands out fewer than it chose. The claimer read "fewer than the limit, none
// at the scan's cap" as "the scan saw everything", cleared `unknown` and stopped, while a live
// delivery was still due behind them; only the poll (each cancelling a claim's worth) went on.
// It must keep claiming, with no poll, until the live one is taken.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClaimer } from "../src/dispatch/claimer.ts";
import { type Lane, newLane } from "../src/dispatch/lane.ts";
import { DEFAULT_BREAKER } from "../src/domain/circuit-breaker.ts";
import type { ClaimedDelivery, Store } from "../src/store/types.ts";
import { factories, type Opened } from "./support/store-factories.ts";
import { endpointRow, eventRows } from "./support/store-rows.ts";

const T0 = 1_750_000_000_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe.each(factories)("claimer over the $name store", ({ open }) => {
  let store: Store;
  let opened: Opened;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => opened.cleanup());

  it("keeps claiming (no poll) until a live delivery behind a run of gone ones is claimed", async () => {
    const kept = endpointRow(T0);
    await store.createEndpoint(kept);
    const gone = endpointRow(T0 + 1).id;
    await store.createEvents(Array.from({ length: 100 }, (_, n) => eventRows(T0 + n, [gone])));
    await store.createEvents([eventRows(T0 + 1000, [kept.id])]);

    const lanes = new Map<string, Lane>();
    const delivered: ClaimedDelivery[] = [];
    let claims = 0;
    const counting: Pick<Store, "claimDue"> = {
      claimDue: (input) => {
        claims++;
        return store.claimDue(input);
      },
    };
    const claimer = createClaimer({
      store: counting,
      owner: "node-a",
      limits: { perEndpoint: 32, stallMs: 1000, leaseMs: 60_000, breaker: DEFAULT_BREAKER },
      claimBatch: 200,
      clock: () => T0 + 2000,
      log: quiet,
      lanes,
      laneOf: (id) => {
        const lane = lanes.get(id) ?? newLane();
        lanes.set(id, lane);
        return lane;
      },
      // A busy node: room for 10 more (the scan's window is then 40 rows).
      room: () => 10 - delivered.length,
      deliver: (claimed) => delivered.push(...claimed),
    });
    claimer.markDue();
    // Let the claim loop run to quiescence (no due timer, no poll in this test).
    for (let idle = 0; idle < 5; ) {
      await new Promise((r) => setTimeout(r, 50));
      idle = claimer.state().claiming ? 0 : idle + 1;
    }
    claimer.stop();
    const left = await store.listDeliveries("tn_default", {
      endpointId: gone,
      status: "pending",
      limit: 100,
    });
    expect({
      claims,
      unknown: claimer.state().unknown,
      gonePendingLeft: left.data.length,
      delivered: delivered.map((d) => d.endpointId),
    }).toEqual({
      claims: expect.any(Number),
      unknown: expect.any(Boolean),
      gonePendingLeft: 0,
      delivered: [kept.id],
    });
  });
});
