import { availableParallelism, hostname } from "node:os";
import type { FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import { buildApp } from "./api/app.ts";
import type { Config } from "./config/config.ts";
import { createDispatcher, type Dispatcher } from "./dispatch/dispatcher.ts";
import { allObservers } from "./dispatch/observer.ts";
import { createSender, type Sender } from "./dispatch/send.ts";
import { createThreadedSender } from "./dispatch/threaded-sender.ts";
import { createOperationalEvents, type OperationalEvents } from "./health/operational-events.ts";
import { createCommitQueue } from "./ingest/commit-queue.ts";
import type { DeliveryHandoff } from "./ingest/create-event.ts";
import { createEndpointCache } from "./ingest/endpoint-cache.ts";
import { observeCommits } from "./ingest/observe-commits.ts";
import {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
} from "./ingest/outbox-relay.ts";
import { createListenHub, type ListenHub } from "./listen/hub.ts";
import { routeListenSessions } from "./listen/sender.ts";
import { singleNodeLeaseMs } from "./listen/timeout.ts";
import { createLiveFeed } from "./live/feed.ts";
import { createLiveHub } from "./live/hub.ts";
import { createLogger } from "./logging/logger.ts";
import { logAccepted, logAttempts } from "./logging/observers.ts";
import { logStoreState } from "./logging/store-state.ts";
import { createRetention, retentionPacing } from "./maintenance/retention.ts";
import { circuitGauge } from "./metrics/circuit-gauge.ts";
import { createMetrics } from "./metrics/metrics.ts";
import { rootKey } from "./root-key.ts";
import { sealSecrets } from "./secrets/seal-secrets.ts";
import { createAvailability } from "./store/availability.ts";
import { guardStore } from "./store/guard.ts";
import { outboxStoreOf } from "./store/outbox-types.ts";
import { createPostgresStore } from "./store/postgres/postgres-store.ts";
import { createSqliteStore } from "./store/sqlite/sqlite-store.ts";
import { tenantStoreOf } from "./store/tenant-types.ts";
import type { Store } from "./store/types.ts";

export interface Server {
  app: FastifyInstance;
  store: Store;
  dispatcher: Dispatcher;
  /** The `hookline listen` listeners connected to this node. */
  listen: ListenHub;
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
  const postgres = /^postgres(ql)?:\/\//.test(config.database);
  const clock = options.clock ?? Date.now;
  const log = createLogger({
    level: options.logger === false ? "silent" : config.logLevel,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  // Every store call goes through the guard: a database that went away or a full disk becomes
  // a StoreUnavailableError (a 503 for the API, "try later" for the loops), logged once.
  const availability = createAvailability();
  availability.observe(logStoreState(log));
  const store = await sealSecrets(
    guardStore(
      postgres
        ? await createPostgresStore(config.database)
        : createSqliteStore(config.database, { durability: config.durability }),
      availability,
    ),
    config,
    log,
  );
  const metrics = createMetrics({ store, clock, availability });
  const key = await rootKey(store, config.apiKey);
  const senderOptions = {
    timeoutMs: config.deliveryTimeoutMs,
    policy: {
      allowedNetworks: config.allowedNetworks,
      allowLoopback: config.dev,
      httpsOnly: config.httpsOnly,
    },
    connectionsPerOrigin: config.maxInFlightPerEndpoint,
    extraCaCerts: config.extraCaCerts,
    ...(config.proxyUrl === undefined ? {} : { proxyUrl: config.proxyUrl }),
  };
  // Its own thread when there is a core to run it on; a test's injected clock stays in-thread.
  let sender: Sender | undefined;
  if (options.clock === undefined && availableParallelism() > 1) {
    const threaded = createThreadedSender(senderOptions);
    if (await threaded.ready()) sender = threaded;
    else log.warn("the sender's thread did not start: sending from the main thread");
  }
  sender ??= createSender({ ...senderOptions, now: clock });
  const endpoints = createEndpointCache(store, { clock });
  // OpenTelemetry export, when an OTLP endpoint is set: a span per ingest and per attempt. The
  // SDK is loaded only then: a server without it does not pay for its modules at start.
  const spans =
    config.otlpTracesUrl === undefined
      ? undefined
      : (await import("./trace/span-export.ts")).createSpanExport({
          url: config.otlpTracesUrl,
          serviceName: config.serviceName,
        });
  const listen = createListenHub({ now: clock });
  const live = createLiveHub();
  const feed = createLiveFeed(live);
  const dispatcher = createDispatcher({
    // Watched: the live stream tells of an outcome once it is recorded.
    store: feed.watch(store),
    sender: routeListenSessions(sender, listen),
    schedule: config.retrySchedule,
    maxInFlight: config.maxInFlight,
    maxInFlightPerEndpoint: config.maxInFlightPerEndpoint,
    // Well inside the timeout: a hanging endpoint is noticed long before its attempts time out.
    stallMs: Math.min(1000, Math.max(50, config.deliveryTimeoutMs / 2)),
    leaseMs: postgres ? config.leaseMs : singleNodeLeaseMs(config.leaseMs),
    owner: `${hostname()}:${process.pid}:${Date.now().toString(36)}`,
    clock,
    random: Math.random,
    log,
    observe: allObservers(
      metrics.dispatch,
      logAttempts(log),
      feed.dispatch,
      ...(spans === undefined ? [] : [spans.observer]),
    ),
    ladder: config.ladder,
    breaker: config.breaker,
    onEndpointsDisabled: () => endpoints.invalidateAll(),
    onHealthChanges: (changes) => operational.endpointsChanged(changes),
    onExhausted: (deliveries) => operational.deliveriesExhausted(deliveries),
    listen,
  });
  circuitGauge(metrics.registry, () => dispatcher.view());
  const accepted = [metrics.accepted, logAccepted(log), feed.accepted];
  const commits = observeCommits(createCommitQueue(store), accepted);
  const handoff = config.role === "api" ? apiHandoff(dispatcher) : dispatcher;
  const operational: OperationalEvents = createOperationalEvents({
    store,
    commits,
    endpoints,
    handoff,
    spans,
    clock,
    log,
  });
  const app = buildApp(
    {
      store,
      tenants: tenantStoreOf(store),
      commits,
      operational,
      endpoints,
      handoff,
      config,
      clock,
      rootKeyHash: key.hash,
      // An API node runs no dispatcher by design: that is not a reason to take it out of service.
      dispatcherRunning: () => config.role === "api" || dispatcher.running(),
      storeAvailability: availability,
      metrics,
      live,
      sender,
      spans,
    },
    { logger: log, listen },
  );
  if (config.role === "worker") servesOperationsOnly(app);
  // One process owns a SQLite file, so whatever is in flight at start was left by a crash of
  // the previous one: give it back at once instead of waiting for its lease to expire. On
  // PostgreSQL other nodes hold live leases: only expired ones are reclaimed (dispatcher.start).
  if (!postgres) await store.reclaimExpired(clock(), Number.MAX_SAFE_INTEGER);
  if (config.role !== "api") await dispatcher.start();
  const address = await app.listen({ port: config.port, host: config.host });
  const retention = createRetention({
    store,
    retentionMs: config.retentionMs,
    clock,
    log,
    ...retentionPacing(postgres ? "postgres" : "sqlite"),
  });
  retention.start();
  const relay = startOutboxRelay({
    store,
    commits,
    endpoints,
    handoff,
    spans,
    accepted,
    config,
    clock,
    log,
  });
  return {
    app,
    store,
    dispatcher,
    listen,
    url: address,
    generatedApiKey: key.generated,
    async close(graceMs = 10_000) {
      await app.close();
      await retention.stop();
      await relay?.stop();
      await dispatcher.stop(graceMs);
      await store.close();
      // Last: the attempts that finished while stopping have their spans too.
      await spans?.shutdown();
    },
  };
}

/**
 * The outbox relay, on a store that has an outbox (PostgreSQL), on every node: rows are taken
 * with SKIP LOCKED, so nodes share them. A worker node relays too (it commits events as an API
 * node would); an API node's events are claimed by the workers its commits NOTIFY.
 */
function startOutboxRelay(
  deps: Omit<OutboxRelayOptions, "outbox" | "checks"> & { config: Config },
): OutboxRelay | undefined {
  const outbox = outboxStoreOf(deps.store);
  if (outbox === undefined) return undefined;
  const tenants = tenantStoreOf(deps.store);
  const relay = createOutboxRelay({
    ...deps,
    outbox,
    checks: {
      strictEventTypes: deps.config.strictEventTypes,
      maxPayloadBytes: deps.config.maxPayloadBytes,
      tenantExists: async (id) => (await tenants.getTenant(id)) !== undefined,
    },
  });
  relay.start();
  return relay;
}

/**
 * An API node's side of the handoff: it never claims at insert (it sends nothing), and it needs
 * no wake-up call: the commit that made deliveries due NOTIFYs every worker node (store/postgres).
 */
function apiHandoff(dispatcher: Dispatcher): DeliveryHandoff {
  return {
    owner: dispatcher.owner,
    leaseMs: dispatcher.leaseMs,
    hasRoom: () => false,
    adopt: () => {},
    wake: () => {},
    // Circuits live on the worker nodes; each closes its own after a successful probe.
    resetEndpoint: () => {},
  };
}

const OPERATIONS = new Set(["/healthz", "/readyz", "/metrics"]);

/** A worker node answers only what orchestrators and Prometheus ask; the API is elsewhere. */
function servesOperationsOnly(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    if (OPERATIONS.has(request.url.split("?", 1)[0]!)) return;
    return reply.code(404).send({
      error: {
        type: "invalid_request_error",
        code: "resource_missing",
        message:
          "This node runs with --role worker: it serves /healthz, /readyz and /metrics only.",
      },
    });
  });
}
