import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DispatchObserver } from "../dispatch/observer.ts";
import { AttemptErrorKind } from "../dispatch/outcome.ts";
import type { AcceptedListener } from "../ingest/observe-commits.ts";
import type { Availability } from "../store/availability.ts";
import type { Store } from "../store/types.ts";
import { storeAvailabilityMetrics } from "./store-availability.ts";
import { storeGauges } from "./store-gauges.ts";
import { typeFamilies } from "./type-family.ts";

/** The process's metrics, in a registry of its own (not prom-client's global one). */
export interface Metrics {
  registry: Registry;
  /** For the dispatcher: attempts, their latency and outcomes. */
  dispatch: DispatchObserver;
  /** For ingest: events accepted. */
  accepted: AcceptedListener;
  /** API requests being served, for the in-flight gauge. */
  http: { started(): void; finished(method: string, route: string, status: number): void };
}

// From a fast loopback receiver (ms) to the default 15 s timeout and its 5 min maximum.
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 300];

/**
 * Every label is bounded: no endpoint, event or delivery ids (a test with 1,000 endpoints
 * checks it); event types are folded into at most 50 families plus `other`.
 */
export function createMetrics(options: {
  store: Store;
  clock: () => number;
  /** The store's up/down state (store/availability.ts), for hookline_store_up. */
  availability?: Availability;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const family = typeFamilies();

  const ingested = new Counter({
    name: "hookline_events_ingested_total",
    help: "Events accepted (committed), by type family: the part of the type before the first dot.",
    labelNames: ["family"],
    registers,
  });
  const attempts = new Counter({
    name: "hookline_attempts_total",
    help: "Delivery attempts by result: delivered, or the error kind (http_status, timeout, connection_failed, dns_failure, address_blocked, auth_failed, unknown).",
    labelNames: ["result"],
    registers,
  });
  const outcomes = new Counter({
    name: "hookline_deliveries_total",
    help: "What each attempt did to its delivery: succeeded, retry_scheduled or failed (no attempts left, or not retryable).",
    labelNames: ["outcome"],
    registers,
  });
  const latency = new Histogram({
    name: "hookline_attempt_duration_seconds",
    help: "Duration of delivery attempts, from the request's start to the end of reading the answer.",
    labelNames: ["result"],
    buckets: ATTEMPT_BUCKETS,
    registers,
  });
  const attemptsInFlight = new Gauge({
    name: "hookline_attempts_in_flight",
    help: "Delivery attempts (HTTP requests to endpoints) in flight on this node.",
    registers,
  });
  const requestsInFlight = new Gauge({
    name: "hookline_http_requests_in_flight",
    help: "API requests being served by this node.",
    registers,
  });
  const requests = new Counter({
    name: "hookline_http_requests_total",
    help: "API requests served, by method, route pattern and status class (2xx, 4xx, 5xx).",
    labelNames: ["method", "route", "status"],
    registers,
  });
  const circuitsOpened = new Counter({
    name: "hookline_circuits_opened_total",
    help: "Times an endpoint's circuit opened on this node, by reason (unreachable, error_rate).",
    labelNames: ["reason"],
    registers,
  });
  for (const reason of ["unreachable", "error_rate"]) circuitsOpened.inc({ reason }, 0);
  storeGauges(registry, options.store, options.clock);
  if (options.availability !== undefined) storeAvailabilityMetrics(registry, options.availability);
  // Known series start at 0, so rate() and ratios work before the first failure.
  for (const result of ["delivered", ...Object.values(AttemptErrorKind)])
    attempts.inc({ result }, 0);
  for (const outcome of ["succeeded", "retry_scheduled", "failed"]) outcomes.inc({ outcome }, 0);

  return {
    registry,
    dispatch: {
      attemptStarted: () => attemptsInFlight.inc(),
      circuitOpened: (_endpointId, reason) => circuitsOpened.inc({ reason }),
      attemptFinished(_delivery, outcome, next) {
        attemptsInFlight.dec();
        const result = outcome.kind === "delivered" ? "delivered" : outcome.error;
        attempts.inc({ result });
        latency.observe({ result: outcome.kind }, outcome.durationMs / 1000);
        outcomes.inc({ outcome: next === "pending" ? "retry_scheduled" : next });
      },
    },
    accepted: (event) => ingested.inc({ family: family(event.type) }),
    http: {
      started: () => requestsInFlight.inc(),
      finished(method, route, status) {
        requestsInFlight.dec();
        requests.inc({ method, route, status: `${Math.floor(status / 100)}xx` });
      },
    },
  };
}
