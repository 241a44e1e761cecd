import type { ClaimedDelivery, Store } from "../store/types.ts";
import { demand, isHungry, type Lane, type LaneLimits, newLane } from "./lane.ts";
import type { Logger } from "./logger.ts";
import { createStoreRetry } from "./store-retry.ts";

/**
 * The claimer: what this node knows of the due deliveries in the store, and the one claim
 * transaction at a time that takes them.
 *
 * WORK CONSERVATION, the invariant this file exists for: whenever a global slot and a lane slot
 * are free and the store holds a due delivery for that endpoint, a claim starts within one turn
 * of the event loop, never at the poll. It rests on two facts kept here:
 *
 * 1. Knowledge is never lost. If the store holds a due, unleased delivery of endpoint E, then
 *    `unknown` is set, or E's lane has `mayHaveMore`, or a claim is running that will look
 *    again when it ends. Every path that makes a delivery due marks it (`markDue`); a claim
 *    clears a mark only when it could see everything it cleared. A marked lane is read through
 *    its endpoint's index: fewer rows than its share (and a claim not cut by its limit) means
 *    none is left. `unknown` is cleared by a scan of the due index that ran out: short of its
 *    limit, no endpoint at the scan's cap. A mark set while a claim ran survives that claim
 *    (`mark` numbers), since the claim's snapshot may predate the delivery.
 *
 *    Reading marked lanes by their index, and scanning only while `unknown`, is what keeps a
 *    backlog cheap: a claim costs the rows it takes, not a run of the due index four times its
 *    limit (which cost ~190 µs per delivery draining 20,000 of one endpoint).
 * 2. Every change that can make a claim worthwhile pokes: a slot freed, a lane drained, a mark
 *    set. `poke` looks within the turn, and the loop runs claims until `wanted` says no.
 *
 * A lane with a free slot and an empty queue is always hungry (lane.ts), so (1) and (2) give
 * the invariant. The poll is left for due times in the future and for other nodes' work.
 */
export interface Claimer {
  /**
   * Deliveries of these endpoints may be due in the store now (committed pending, given back,
   * retried); without ids, of any endpoint (another node's commit, a reclaim, the poll).
   */
  markDue(endpointIds?: Iterable<string>): void;
  /** A slot or a lane may have room now: claim within this turn if the store may fill it. */
  poke(): void;
  /** The store is back (its wake-up connection reconnected): a claim waiting on backoff runs now. */
  retryNow(): void;
  stop(): void;
  /** What the claimer knows and does, for the simulation test and `Dispatcher.view`. */
  state(): { unknown: boolean; claiming: boolean; backingOff: boolean };
}

export interface ClaimerOptions {
  store: Pick<Store, "claimDue">;
  owner: string;
  limits: LaneLimits;
  claimBatch: number;
  clock: () => number;
  log: Logger;
  lanes: ReadonlyMap<string, Lane>;
  /** The lane of an endpoint, made if this node has none. */
  laneOf(endpointId: string): Lane;
  /** How many more deliveries this node may hold now (running and queued), over all lanes. */
  room(): number;
  /** Hands what a claim took to the lanes. */
  deliver(claimed: ClaimedDelivery[]): void;
}

/** How many of an endpoint a claim may take when this node has no lane for it yet. */
export function freshShare(limits: LaneLimits): number {
  return demand(newLane(), 0, limits);
}

/** One claim's question to the store (see `Store.claimDue`). */
interface Ask {
  limit: number;
  excluded: string[];
  /** The lanes read through their endpoint's index, and how many each can take. */
  shares: Record<string, number>;
  /** Also scan the due index for endpoints this node knows nothing of. */
  scan: boolean;
}

export function createClaimer(options: ClaimerOptions): Claimer {
  const { store, limits, lanes, clock } = options;
  const retry = createStoreRetry(options.log, "claiming due deliveries");
  // The limits never change: a fresh lane's share is worked out once, not at every look.
  const fresh = freshShare(limits);
  /** The store may hold due deliveries of endpoints whose lanes are not marked. */
  let unknown = true;
  /** Numbers each mark and each claim, to tell which came first. */
  let sequence = 0;
  let unknownMark = 0;
  const marks = new Map<string, number>();
  let claiming = false;
  let scheduled = false;
  let stopped = false;

  function poke(): void {
    if (scheduled || claiming || stopped || retry.waiting()) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void loop();
    });
  }

  /** What a claim now would ask for, or undefined when none is worth its transaction. */
  function wanted(): Ask | undefined {
    const room = options.room();
    if (room <= 0) return undefined;
    const now = clock();
    const excluded: string[] = [];
    const shares: Record<string, number> = {};
    let named = false;
    for (const [id, lane] of lanes) {
      if (!isHungry(lane, now, limits)) {
        excluded.push(id);
        continue;
      }
      // A marked lane is read through its endpoint's index, up to what it can take. When the
      // claim scans, a lane that holds less than a fresh lane's share is named too, so the
      // scan does not hand it more than it can hold.
      const want = demand(lane, now, limits);
      if (lane.mayHaveMore || (unknown && want < fresh)) {
        shares[id] = want;
        named = true;
      }
    }
    if (!unknown && !named) return undefined;
    return { limit: Math.min(room, options.claimBatch), excluded, shares, scan: unknown };
  }

  async function loop(): Promise<void> {
    if (claiming || stopped) return;
    claiming = true;
    try {
      for (let ask = wanted(); ask !== undefined && !stopped; ask = wanted()) {
        const started = ++sequence;
        const now = clock();
        let passedOver = 0;
        const claimed = await store.claimDue({
          now,
          limit: ask.limit,
          leaseUntil: now + limits.leaseMs,
          owner: options.owner,
          excludeEndpoints: ask.excluded,
          perEndpoint: fresh,
          shares: ask.shares,
          scan: ask.scan,
          onPassedOver: (count) => {
            passedOver = count;
          },
        });
        retry.ok();
        learn(claimed, ask, started, passedOver);
        options.deliver(claimed);
      }
    } catch (error) {
      unknown = true;
      retry.failed(error, poke);
      return;
    } finally {
      claiming = false;
    }
  }

  /** Updates the marks from what a claim took (see fact 1 above). */
  function learn(claimed: ClaimedDelivery[], ask: Ask, started: number, passedOver: number): void {
    const taken = new Map<string, number>();
    for (const d of claimed) taken.set(d.endpointId, (taken.get(d.endpointId) ?? 0) + 1);
    // A claim cut short by its limit may have stopped before anything it was to read. One that
    // passed over deliveries (their endpoint gone: cancelled) counts as cut whatever it
    // returned: they took its room, and a run of them can hide what is due behind them, so the
    // loop claims again at once and knowledge is not dropped on a short answer.
    const cut = claimed.length >= ask.limit || passedOver > 0;
    for (const [id, share] of Object.entries(ask.shares)) {
      if (cut || (taken.get(id) ?? 0) >= share) markLane(id);
      else clearMark(id, started);
    }
    if (!ask.scan) return;
    let sawAll = !cut;
    for (const [id, count] of taken) {
      if (id in ask.shares || count < fresh) continue;
      // The scan kept `fresh` of this endpoint and may have passed over more of it, and over
      // other endpoints' deliveries behind them.
      sawAll = false;
      markLane(id);
    }
    if (!sawAll || !unknown || unknownMark >= started) return;
    // What `unknown` covered of the lanes this claim skipped is still unknown: it moves to
    // their own marks, which a claim that names them clears.
    for (const id of ask.excluded) {
      const lane = lanes.get(id);
      if (lane === undefined || lane.mayHaveMore) continue;
      lane.mayHaveMore = true;
      marks.set(id, started);
    }
    unknown = false;
  }

  /** The claim that began at `started` saw all of this endpoint's due deliveries. */
  function clearMark(endpointId: string, started: number): void {
    const lane = lanes.get(endpointId);
    if (lane === undefined || (marks.get(endpointId) ?? 0) >= started) return;
    lane.mayHaveMore = false;
    marks.delete(endpointId);
  }

  function markLane(endpointId: string): void {
    options.laneOf(endpointId).mayHaveMore = true;
    marks.set(endpointId, ++sequence);
  }

  return {
    markDue(endpointIds) {
      if (endpointIds === undefined) {
        unknown = true;
        unknownMark = ++sequence;
      } else {
        for (const id of endpointIds) markLane(id);
      }
      poke();
    },
    poke,
    retryNow: () => retry.now(),
    stop() {
      stopped = true;
      retry.cancel();
    },
    state: () => ({
      unknown,
      claiming: claiming || scheduled,
      backingOff: retry.waiting(),
    }),
  };
}
