import type { AttemptResult, ClaimedDelivery, Store } from "../../src/store/types.ts";

/**
 * An in-memory store for the dispatcher's simulation test: the part of `Store` the dispatcher
 * calls, with the same semantics as the SQL (leases, a bounded scan of the due index, per
 * endpoint shares, disabled endpoints skipped) and a database latency drawn per call, so that
 * commits, claims and outcomes interleave as they do on a real server. Timers are the test's
 * fake ones.
 */
export interface SimDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  seq: number;
  status: "pending" | "in_flight" | "succeeded" | "failed" | "skipped";
  nextAttemptAt: number | null;
  attemptCount: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** Set for a keyed delivery (of a per_key endpoint): its key and place in the key's order. */
  orderingKey: string | null;
  sequence: number | null;
}

export interface SimEndpoint {
  id: string;
  url: string;
  enabled: boolean;
}

export function createSimStore(options: { now: () => number; latency: () => number }) {
  const deliveries = new Map<string, SimDelivery>();
  const endpoints = new Map<string, SimEndpoint>();
  let seq = 0;
  let claims = 0;
  /** Deliveries recovered after they failed: they go again after newer ones of their key. */
  const recovered = new Set<string>();
  const lastSequence = new Map<string, number>();
  const later = <T>(work: () => T): Promise<T> =>
    new Promise((resolve) => setTimeout(() => resolve(work()), options.latency()));

  const isDue = (d: SimDelivery, now: number) =>
    d.status === "pending" && d.nextAttemptAt !== null && d.nextAttemptAt <= now;

  /**
   * The per-key rule both stores apply in both parts of a claim: a keyed delivery only while
   * none of its (endpoint, key) is in flight and none of an earlier sequence is pending.
   */
  function freeKeys(): (d: SimDelivery) => boolean {
    // Per (endpoint, key): -1 while one is in flight, else the lowest pending sequence.
    const head = new Map<string, number>();
    for (const o of deliveries.values()) {
      if (o.orderingKey === null) continue;
      const slot = `${o.endpointId} ${o.orderingKey}`;
      if (o.status === "in_flight") head.set(slot, -1);
      else if (o.status === "pending" && head.get(slot) !== -1) {
        head.set(slot, Math.min(head.get(slot) ?? Number.POSITIVE_INFINITY, o.sequence!));
      }
    }
    return (d) =>
      d.orderingKey === null || head.get(`${d.endpointId} ${d.orderingKey}`) === d.sequence;
  }
  const claimable = (now: number) => {
    const keyIsFree = freeKeys();
    return (d: SimDelivery) =>
      isDue(d, now) && endpoints.get(d.endpointId)?.enabled === true && keyIsFree(d);
  };

  function claimed(d: SimDelivery): ClaimedDelivery {
    const endpoint = endpoints.get(d.endpointId)!;
    return {
      id: d.id,
      tenantId: "tn_sim",
      eventId: d.eventId,
      eventType: "sim.event",
      endpointId: d.endpointId,
      attemptCount: d.attemptCount,
      url: endpoint.url,
      rateLimit: null,
      payload: Buffer.from(d.eventId),
      secrets: ["whsec_c2ltdWxhdGlvbg=="],
      signatureSchemes: "both",
      orderingKey: d.orderingKey,
      sequence: d.sequence,
    };
  }

  const store: Partial<Store> = {
    claimDue(input) {
      claims++;
      return later(() => {
        claims--;
        // As both stores do: the named endpoints through their own index, up to their share;
        // then, when scanning, a run of four times the limit over the due index for the rest.
        const shares = input.shares ?? {};
        const due = [...deliveries.values()]
          .filter(claimable(input.now))
          .sort((a, b) => a.nextAttemptAt! - b.nextAttemptAt! || a.seq - b.seq);
        const chosen: SimDelivery[] = [];
        // Due retries first (attempted before), then first attempts, as both stores do.
        const retriesFirst = (a: SimDelivery, b: SimDelivery) =>
          Number(b.attemptCount > 0) - Number(a.attemptCount > 0);
        for (const [endpointId, share] of Object.entries(shares)) {
          const take = Math.min(share, input.limit);
          const own = due.filter((d) => d.endpointId === endpointId);
          chosen.push(...own.sort(retriesFirst).slice(0, take));
        }
        if (input.scan !== false) {
          const skipped = new Set([...input.excludeEndpoints, ...Object.keys(shares)]);
          const rank = new Map<string, number>();
          const scanned = due.filter((d) => !skipped.has(d.endpointId)).slice(0, input.limit * 4);
          const kept = scanned.filter((d) => {
            const r = (rank.get(d.endpointId) ?? 0) + 1;
            rank.set(d.endpointId, r);
            return r <= input.perEndpoint;
          });
          chosen.push(...kept.slice(0, input.limit));
        }
        chosen.sort(
          (a, b) => retriesFirst(a, b) || a.nextAttemptAt! - b.nextAttemptAt! || a.seq - b.seq,
        );
        return chosen.slice(0, input.limit).map((d) => {
          d.status = "in_flight";
          d.leaseOwner = input.owner;
          d.leaseUntil = input.leaseUntil;
          return claimed(d);
        });
      });
    },
    recordResults(results: AttemptResult[]) {
      return later(() => {
        for (const r of results) {
          const d = deliveries.get(r.deliveryId)!;
          if (d.status !== "in_flight" || d.leaseOwner !== r.leaseOwner) continue;
          d.status = r.status as SimDelivery["status"];
          d.attemptCount = r.attemptCount;
          d.nextAttemptAt = r.nextAttemptAt;
          d.leaseOwner = null;
          d.leaseUntil = null;
          if (r.disableEndpoint) disable(r.endpointId);
        }
        return [];
      });
    },
    releaseDeliveries(ids, owner, dueAt) {
      return later(() => {
        let count = 0;
        for (const id of ids) {
          const d = deliveries.get(id)!;
          if (d.status !== "in_flight" || d.leaseOwner !== owner) continue;
          Object.assign(d, { status: "pending", nextAttemptAt: dueAt, leaseOwner: null });
          d.leaseUntil = null;
          count++;
        }
        return count;
      });
    },
    deferEndpoint(endpointId, until) {
      return later(() => {
        let count = 0;
        for (const d of deliveries.values()) {
          if (d.endpointId !== endpointId || d.status !== "pending") continue;
          if (d.nextAttemptAt! < until) {
            d.nextAttemptAt = until;
            count++;
          }
        }
        return count;
      });
    },
    releaseLeases(owner, now) {
      return later(() => {
        let count = 0;
        for (const d of deliveries.values()) {
          if (d.status !== "in_flight" || d.leaseOwner !== owner) continue;
          Object.assign(d, { status: "pending", nextAttemptAt: now, leaseOwner: null });
          d.leaseUntil = null;
          count++;
        }
        return count;
      });
    },
    reclaimExpired(now) {
      return later(() => {
        let count = 0;
        for (const d of deliveries.values()) {
          if (d.status !== "in_flight" || d.leaseUntil! >= now) continue;
          Object.assign(d, { status: "pending", nextAttemptAt: now, leaseOwner: null });
          d.leaseUntil = null;
          count++;
        }
        return count;
      });
    },
    nextDueAt() {
      return later(() => {
        let due: number | undefined;
        for (const d of deliveries.values()) {
          if (d.status === "pending" && (due === undefined || d.nextAttemptAt! < due)) {
            due = d.nextAttemptAt!;
          }
        }
        return due;
      });
    },
  };

  function disable(endpointId: string): void {
    endpoints.get(endpointId)!.enabled = false;
    for (const d of deliveries.values()) {
      if (d.endpointId === endpointId && d.status === "pending") {
        d.status = "skipped";
        d.nextAttemptAt = null;
      }
    }
  }

  return {
    store: store as Store,
    deliveries,
    recovered,
    endpoints,
    /** Claims running now (their snapshot is taken when their latency ends). */
    claimsRunning: () => claims,
    addEndpoint(id: string) {
      endpoints.set(id, { id, url: `http://127.0.0.1/${id}`, enabled: true });
    },
    /**
     * Inserts a delivery, leased to `owner` when claimed at insert (never a keyed one, as
     * ingest); with `orderingKey`, it takes the next place in its (endpoint, key) sequence.
     */
    insert(
      d: { id: string; eventId: string; endpointId: string; orderingKey?: string },
      owner?: string,
    ) {
      const now = options.now();
      let sequence: number | null = null;
      if (d.orderingKey !== undefined) {
        const slot = `${d.endpointId} ${d.orderingKey}`;
        sequence = (lastSequence.get(slot) ?? 0) + 1;
        lastSequence.set(slot, sequence);
      }
      const row: SimDelivery = {
        ...d,
        orderingKey: d.orderingKey ?? null,
        sequence,
        seq: ++seq,
        status: owner === undefined ? "pending" : "in_flight",
        nextAttemptAt: now,
        attemptCount: 0,
        leaseOwner: owner ?? null,
        leaseUntil: owner === undefined ? null : now + 60_000,
      };
      if (!endpoints.get(d.endpointId)!.enabled) {
        row.status = "skipped";
        row.nextAttemptAt = null;
      }
      deliveries.set(d.id, row);
      return claimed(row);
    },
    disable,
    /** Enables the endpoint and makes its skipped and failed deliveries due now (recover). */
    recover(endpointId: string) {
      endpoints.get(endpointId)!.enabled = true;
      for (const d of deliveries.values()) {
        if (d.endpointId !== endpointId) continue;
        if (d.status === "skipped" || d.status === "failed") {
          if (d.status === "failed") recovered.add(d.id);
          d.status = "pending";
          d.nextAttemptAt = options.now();
        }
      }
    },
    /** Claimable deliveries (due, unleased, their key free) of each enabled endpoint. */
    dueByEndpoint(now: number): Map<string, number> {
      const due = new Map<string, number>();
      const isClaimable = claimable(now);
      for (const d of deliveries.values()) {
        if (isClaimable(d)) {
          due.set(d.endpointId, (due.get(d.endpointId) ?? 0) + 1);
        }
      }
      return due;
    },
    isLeasedTo(id: string, owner: string): boolean {
      const d = deliveries.get(id);
      return d?.status === "in_flight" && d.leaseOwner === owner;
    },
  };
}

export type SimStore = ReturnType<typeof createSimStore>;
