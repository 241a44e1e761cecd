import { Gauge, type Registry } from "prom-client";
import type { DispatcherView } from "../dispatch/dispatcher.ts";

/**
 * `hookline_endpoint_circuits{state}`: how many endpoints this node's circuit breaker holds
 * open or half-open, read from the dispatcher when Prometheus scrapes. Per node: each node
 * keeps its own circuits (docs/operations.md).
 */
export function circuitGauge(registry: Registry, view: () => DispatcherView): void {
  new Gauge({
    name: "hookline_endpoint_circuits",
    help: "Endpoints whose circuit breaker on this node is open or half-open.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const counts = { open: 0, half_open: 0 };
      for (const lane of view().lanes.values()) {
        if (lane.circuit.state !== "closed") counts[lane.circuit.state]++;
      }
      this.set({ state: "open" }, counts.open);
      this.set({ state: "half_open" }, counts.half_open);
    },
  });
}
