import { Counter, Gauge, type Registry } from "prom-client";
import type { Availability } from "../store/availability.ts";
import { StoreFailure } from "../store/errors.ts";

/**
 * `hookline_store_up` and `hookline_store_errors_total{kind}`: what to alert on when the
 * database goes away or its disk fills (docs/operations.md). Read from the store's availability,
 * never from a query, so they are scraped even while the database cannot be.
 */
export function storeAvailabilityMetrics(registry: Registry, availability: Availability): void {
  new Gauge({
    name: "hookline_store_up",
    help: "1 while the store takes calls, 0 while it refuses them (database unreachable or disk full).",
    registers: [registry],
    collect() {
      this.set(availability.state() === "up" ? 1 : 0);
    },
  });
  const errors = new Counter({
    name: "hookline_store_errors_total",
    help: "Store calls refused for a passing cause, by kind: database_unavailable or disk_full.",
    labelNames: ["kind"],
    registers: [registry],
  });
  for (const kind of Object.values(StoreFailure)) errors.inc({ kind }, 0);
  availability.observe({ failed: (kind) => errors.inc({ kind }) });
}
