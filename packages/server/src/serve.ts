import { hostname } from "node:os";
import type { FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import { buildApp } from "./api/app.ts";
import type { Config } from "./config/config.ts";
import { createDispatcher, type Dispatcher } from "./dispatch/dispatcher.ts";
import { allObservers } from "./dispatch/observer.ts";
import { createSender } from "./dispatch/send.ts";
import { createOperationalEvents, type OperationalEvents } from "./health/operational-events.ts";
import { createCommitQueue } from "./ingest/commit-queue.ts";
import { createEndpointCache } from "./ingest/endpoint-cache.ts";
import { observeCommits } from "./ingest/observe-commits.ts";
import { createLogger } from "./logging/logger.ts";
import { logAccepted, logAttempts } from "./logging/observers.ts";
import { createRetention } from "./maintenance/retention.ts";
import { createMetrics } from "./metrics/metrics.ts";
import { rootKey } from "./root-key.ts";
import { createSqliteStore } from "./store/sqlite/sqlite-store.ts";
import type { Store } from "./store/types.ts";

export interface Server {
  app: FastifyInstance;
  store: Store;
  dispatcher: Dispatcher;
  /** The URL the API listens on. */
  url: string;
  /** The root API key, when this start generated it (print it once). */
  generatedApiKey: string | undefined;
  /** Graceful stop: no new requests or claims, attempts in flight finish (bounded), leases given back. */
  close(graceMs?: number): Promise<void>;
}

/** Starts the API and the dispatcher in this process, on the configured database. */
export async function startServer(
  config: Config,
  options: {
    logger?: boolean;
    clock?: () => number;
    /** Where log lines go instead of standard output (tests read them). */
    logDestination?: DestinationStream;
  } = {},
): Promise<Server> {
  if (/^postgres(ql)?:\/\//.test(config.database)) {
    throw new Error("PostgreSQL is not supported yet: give --database a SQLite file path");
  }
  const clock = options.clock ?? Date.now;
  const log = createLogger({
    level: options.logger === false ? "silent" : config.logLevel,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  const store = createSqliteStore(config.database, { durability: config.durability });
  const metrics = createMetrics({ store, clock });
  const key = await rootKey(store, config.apiKey);
  const sender = createSender({
    timeoutMs: config.deliveryTimeoutMs,
    policy: { allowedNetworks: config.allowedNetworks, allowLoopback: config.dev },
    connectionsPerOrigin: config.maxInFlightPerEndpoint,
    now: clock,
  });
  const endpoints = createEndpointCache(store, { clock });
  const dispatcher = createDispatcher({
    store,
    sender,
    schedule: config.retrySchedule,
    maxInFlight: config.maxInFlight,
    maxInFlightPerEndpoint: config.maxInFlightPerEndpoint,
    leaseMs: Math.max(60_000, config.deliveryTimeoutMs * 4),
    owner: `${hostname()}:${process.pid}:${Date.now().toString(36)}`,
    clock,
    random: Math.random,
    log,
    observe: allObservers(metrics.dispatch, logAttempts(log)),
    ladder: config.ladder,
    breaker: config.breaker,
    onEndpointsDisabled: () => endpoints.invalidateAll(),
    onHealthChanges: (changes) => operational.endpointsChanged(changes),
    onExhausted: (deliveries) => operational.deliveriesExhausted(deliveries),
  });
  const commits = observeCommits(createCommitQueue(store), [metrics.accepted, logAccepted(log)]);
  const operational: OperationalEvents = createOperationalEvents({
    store,
    commits,
    endpoints,
    handoff: dispatcher,
    clock,
    log,
  });
  const app = buildApp(
    {
      store,
      commits,
      operational,
      endpoints,
      handoff: dispatcher,
      config,
      clock,
      rootKeyHash: key.hash,
      dispatcherRunning: () => dispatcher.running(),
      metrics,
    },
    { logger: log },
  );
  // One process owns a SQLite file, so whatever is in flight at start was left by a crash of
  // the previous one: give it back at once instead of waiting for its lease to expire.
  await store.reclaimExpired(clock(), Number.MAX_SAFE_INTEGER);
  await dispatcher.start();
  const address = await app.listen({ port: config.port, host: config.host });
  const retention = createRetention({ store, retentionMs: config.retentionMs, clock, log });
  retention.start();
  return {
    app,
    store,
    dispatcher,
    url: address,
    generatedApiKey: key.generated,
    async close(graceMs = 10_000) {
      await app.close();
      await retention.stop();
      await dispatcher.stop(graceMs);
      await store.close();
    },
  };
}
