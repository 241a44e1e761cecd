import { Gauge, type Registry } from "prom-client";
import type { Store, StoreStats } from "../store/types.ts";

/** States every scrape reports, 0 when empty, so series do not come and go. */
const ENDPOINT_STATES = ["healthy", "failing", "disabling_soon", "disabled"];
const MAX_ENDPOINT_STATES = 12;
const EMPTY: StoreStats = {
  dueDeliveries: 0,
  scheduledDeliveries: 0,
  inFlightDeliveries: 0,
  oldestDueAt: null,
  endpointsByState: {},
};

/**
 * Gauges read from the store when Prometheus scrapes, not kept up to date on the delivery path:
 * a scrape every 15 s costs three indexed counts and one index lookup (store.stats). The
 * registry collects metrics concurrently, so one read is shared by the gauges of a scrape.
 * While the store cannot be read, these gauges keep their last values rather than fail the
 * whole scrape: hookline_store_up, which says so, must still reach Prometheus.
 */
export function storeGauges(registry: Registry, store: Store, clock: () => number): void {
  let read: { at: number; stats: Promise<StoreStats> } | undefined;
  const stats = () => {
    const now = clock();
    if (read === undefined || now - read.at > 1000) {
      const previous = read?.stats;
      read = {
        at: now,
        stats: store.stats(now).catch(() => previous ?? Promise.resolve(EMPTY)),
      };
    }
    return read.stats;
  };

  new Gauge({
    name: "hookline_deliveries_queued",
    help: "Deliveries not finished, by state: due (waiting for a free slot), scheduled (a later retry), in_flight. Counts stop at 100000.",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const s = await stats();
      this.set({ state: "due" }, s.dueDeliveries);
      this.set({ state: "scheduled" }, s.scheduledDeliveries);
      this.set({ state: "in_flight" }, s.inFlightDeliveries);
    },
  });

  new Gauge({
    name: "hookline_oldest_due_delivery_age_seconds",
    help: "How long the longest-waiting due delivery has been due; 0 when none is due.",
    registers: [registry],
    async collect() {
      const s = await stats();
      const now = clock();
      this.set(s.oldestDueAt === null ? 0 : Math.max(0, now - s.oldestDueAt) / 1000);
    },
  });

  new Gauge({
    name: "hookline_endpoints",
    help: "Endpoints by state: the health of enabled ones (healthy, failing, disabling_soon), or disabled.",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const s = await stats();
      this.reset();
      for (const state of ENDPOINT_STATES) this.set({ state }, 0);
      // States come from the code, not from callers, but a bound costs nothing.
      const states = Object.entries(s.endpointsByState).slice(0, MAX_ENDPOINT_STATES);
      for (const [state, count] of states) this.set({ state }, count);
    },
  });
}
