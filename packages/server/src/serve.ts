import { hostname } from "node:os";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { buildApp } from "./api/app.ts";
import type { Config } from "./config/config.ts";
import { createDispatcher, type Dispatcher } from "./dispatch/dispatcher.ts";
import { createSender } from "./dispatch/send.ts";
import { createCommitQueue } from "./ingest/commit-queue.ts";
import { createEndpointCache } from "./ingest/endpoint-cache.ts";
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
  options: { logger?: boolean; clock?: () => number } = {},
): Promise<Server> {
  if (/^postgres(ql)?:\/\//.test(config.database)) {
    throw new Error("PostgreSQL is not supported yet: give --database a SQLite file path");
  }
  const clock = options.clock ?? Date.now;
  const log = pino({ level: options.logger === false ? "silent" : config.logLevel });
  const store = createSqliteStore(config.database, { durability: config.durability });
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
    onEndpointsDisabled: () => endpoints.invalidateAll(),
  });
  const app = buildApp(
    {
      store,
      commits: createCommitQueue(store),
      endpoints,
      handoff: dispatcher,
      config,
      clock,
      rootKeyHash: key.hash,
      dispatcherRunning: () => dispatcher.running(),
    },
    { logger: log },
  );
  // One process owns a SQLite file, so whatever is in flight at start was left by a crash of
  // the previous one: give it back at once instead of waiting for its lease to expire.
  await store.reclaimExpired(clock(), Number.MAX_SAFE_INTEGER);
  await dispatcher.start();
  const address = await app.listen({ port: config.port, host: config.host });
  return {
    app,
    store,
    dispatcher,
    url: address,
    generatedApiKey: key.generated,
    async close(graceMs = 10_000) {
      await app.close();
      await dispatcher.stop(graceMs);
      await store.close();
    },
  };
}
