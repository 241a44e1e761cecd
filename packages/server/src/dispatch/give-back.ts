import type { Store } from "../store/types.ts";
import type { Logger } from "./logger.ts";

/**
 * Deliveries this node claimed but will not run now (the circuit opened, the endpoint hangs,
 * the lane's queue is full, a listen session has no listener) go back to the store, due at a
 * given time. Those given back in the same turn are released in one statement per due time.
 */
export interface GiveBack {
  /**
   * `align`: a serial lane keeps its order: what is given back and whatever else of the
   * endpoint is already due get one due time, so the next claims take them in creation order.
   */
  add(endpointId: string, ids: string[], dueAt: number, align?: boolean): void;
  /** Moves the endpoint's pending deliveries due before `until` to `until` (circuit open). */
  defer(endpointId: string, until: number): void;
}

export interface GiveBackOptions {
  store: Pick<Store, "releaseDeliveries" | "deferEndpoint">;
  owner: string;
  clock: () => number;
  log: Logger;
  /** The released deliveries of these endpoints are due at `dueAt`. */
  onReleased(endpointIds: string[], dueAt: number): void;
}

export function createGiveBack(options: GiveBackOptions): GiveBack {
  const { store, clock, log } = options;
  let batches = new Map<number, { ids: string[]; endpoints: Set<string> }>();
  let aligning = new Map<string, number>();

  function release(): void {
    const due = batches;
    const align = aligning;
    batches = new Map();
    aligning = new Map();
    for (const [dueAt, { ids, endpoints }] of due) {
      store
        .releaseDeliveries(ids, options.owner, dueAt, clock())
        .then(() => options.onReleased([...endpoints], dueAt))
        // Not released means still leased to us: the lease expires and a claim takes it again.
        .catch((error: unknown) => log.error({ err: error }, "giving deliveries back failed"));
    }
    for (const [endpointId, dueAt] of align) {
      store
        .deferEndpoint(endpointId, dueAt, clock())
        .catch((error: unknown) => log.error({ err: error }, "ordering a serial lane failed"));
    }
  }

  return {
    add(endpointId, ids, dueAt, align = false) {
      if (ids.length === 0) return;
      if (batches.size === 0 && aligning.size === 0) setImmediate(release);
      let batch = batches.get(dueAt);
      if (batch === undefined) {
        batch = { ids: [], endpoints: new Set() };
        batches.set(dueAt, batch);
      }
      batch.ids.push(...ids);
      batch.endpoints.add(endpointId);
      if (align) aligning.set(endpointId, dueAt);
    },
    defer(endpointId, until) {
      store
        .deferEndpoint(endpointId, until, clock())
        .then(() => options.onReleased([endpointId], until))
        .catch((error: unknown) =>
          log.error({ err: error }, "deferring an endpoint's backlog failed"),
        );
    },
  };
}
