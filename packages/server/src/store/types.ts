import type { AttemptErrorKind } from "../dispatch/outcome.ts";
import type { DeliveryStatus } from "../domain/delivery-status.ts";
import type { HealthState, HealthTransition, LadderPolicy } from "../domain/health-ladder.ts";
import type { PayloadFilter } from "../endpoint-options/payload-filter.ts";

// The storage seam. SQLite implements it today and PostgreSQL next; nothing outside `store/`
// touches a database driver. Times are unix milliseconds unless a name says seconds.

export type SignatureSchemes = "both" | "stripe" | "standard";

/**
 * `per_key`: an endpoint's deliveries of one ordering key go one at a time, in creation order
 * (docs/ordering.md). `none`: as they come, in parallel.
 */
export type Ordering = "none" | "per_key";
/**
 * When the oldest delivery of a key fails after its last retry (docs/ordering.md): `skip` it and
 * go on with the key's next, or `hold` the key until that delivery is retried or recovered.
 */
export type OrderingOnExhausted = "skip" | "hold";

export interface EndpointRow {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  enabledEvents: string[];
  metadata: Record<string, string>;
  signatureSchemes: SignatureSchemes;
  status: "enabled" | "disabled";
  disabledReason: string | null;
  secret: string;
  /** The secret before the last rotation; it keeps signing until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  /** Requests per second at most; `null`: no limit. */
  rateLimit: number | null;
  ordering: Ordering;
  orderingOnExhausted: OrderingOnExhausted;
  /**
   * Custom headers sent with every delivery; `{}` for none. Plaintext here; the values are
   * sealed below the sealed store, like `secret`.
   */
  headers: Record<string, string>;
  /** Only events this query matches get a delivery to the endpoint; `null`: every event. */
  filter: PayloadFilter | null;
  /**
   * How the sender authenticates to the endpoint, as JSON text (endpoint-options/endpoint-auth.ts);
   * sealed below the sealed store as a whole. `null`: the signature alone.
   */
  auth: string | null;
  /**
   * The client certificate (PEM chain, leaf first) presented for mutual TLS, and its private key
   * (PKCS#8 PEM; sealed below the sealed store). Both or neither: `null` for no certificate.
   */
  tlsClientCert: string | null;
  tlsClientKey: string | null;
  /** The failure ladder. Written only by the store (attempts, re-enabling), never by updates. */
  health: HealthState;
  createdAt: number;
  updatedAt: number;
}

export interface EventRow {
  id: string;
  tenantId: string;
  type: string;
  createdAt: number;
  /** The exact bytes every attempt sends. */
  payload: Buffer;
  idempotencyKey: string | null;
  /** Events of one key reach a `per_key` endpoint in creation order; default `data.object.id`. */
  orderingKey: string | null;
  /**
   * The W3C `traceparent` of the event's ingest, which every attempt continues
   * (trace/trace-context.ts): the ingest request's trace id and sampled flag when it had a
   * valid traceparent, else a new trace; a span id of the ingest's own. `null` for events
   * stored before migration 0011 (each attempt then starts a trace of its own).
   */
  traceParent: string | null;
  /** The ingest request's `tracestate`, passed on with every attempt; `null` for none. */
  traceState: string | null;
}

export interface DeliveryRow {
  id: string;
  tenantId: string;
  eventId: string;
  endpointId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  /** Set when the delivery is claimed (`in_flight`): by whom, and until when. */
  leaseOwner: string | null;
  leaseUntil: number | null;
  /**
   * Set when the endpoint was `per_key` at creation and the event had a key: the key, and the
   * delivery's place in the (endpoint, key) sequence from 1 (the store allocates it at insert).
   */
  orderingKey: string | null;
  sequence: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface AttemptRow {
  id: string;
  deliveryId: string;
  createdAt: number;
  durationMs: number;
  statusCode: number | null;
  responseBody: string | null;
  errorKind: AttemptErrorKind | null;
  errorMessage: string | null;
  requestHeaders: Record<string, string>;
  /** The `traceparent` the attempt sent (a span of its own in the event's trace); `null`: none. */
  traceParent: string | null;
}

/** A claimed delivery with everything the sender needs, read in the claim itself. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  attemptCount: number;
  url: string;
  rateLimit: number | null;
  payload: Buffer;
  secrets: string[];
  signatureSchemes: SignatureSchemes;
  /** The endpoint's custom headers; `null` for none (the common case reads nothing more). */
  headers?: Record<string, string> | null;
  /** The endpoint's `auth` (JSON text), when it has one. */
  auth?: string | null;
  /** The endpoint's client certificate and key (PEM), when it has one; absent for most. */
  tlsClient?: { cert: string; key: string } | null;
  /** For a keyed delivery: `Hookline-Sequence: <key>:<sequence>` (docs/ordering.md). */
  orderingKey: string | null;
  sequence: number | null;
  /** When its last attempt was made (absent for a first attempt claimed at insert). */
  lastAttemptAt?: number | null;
  /** The event's trace context (EventRow.traceParent, .traceState), read in the claim. */
  traceParent?: string | null;
  traceState?: string | null;
}

/** The result of one attempt, as the dispatcher records it. */
export interface AttemptResult {
  deliveryId: string;
  endpointId: string;
  attempt: AttemptRow;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  disableEndpoint: boolean;
  /**
   * The delivery is keyed: once it leaves flight, the next of its key may be due (the
   * dispatcher marks the endpoint; PostgreSQL also notifies other nodes).
   */
  ordered?: boolean;
  /**
   * The lease the attempt ran under. The delivery is finished only while that lease still holds
   * it: one whose lease expired and that another node claimed again is that node's to finish (the
   * attempt row is written all the same: the request was sent). Absent: any in-flight row.
   */
  leaseOwner?: string;
}

/** A step an endpoint took on the failure ladder, for an operational event. */
export interface HealthChange {
  tenantId: string;
  endpointId: string;
  transition: HealthTransition;
  /** Why, in words, for `disabled` (`410 Gone`, the ladder, an operator). */
  reason: string | null;
  at: number;
}

/** What the health report reads of an endpoint. */
export interface EndpointActivity {
  /** The most recent attempts since the window's start, newest first, at most the limit. */
  attempts: { ok: boolean; durationMs: number }[];
  /** Unfinished and unsuccessful deliveries by status. */
  deliveries: { pending: number; inFlight: number; failed: number; skipped: number };
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export interface ListOptions {
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

export interface EventFilters extends ListOptions {
  type?: string | undefined;
  createdGte?: number | undefined;
  createdLte?: number | undefined;
  deliverySuccess?: boolean | undefined;
}

export interface DeliveryFilters extends ListOptions {
  eventId?: string | undefined;
  endpointId?: string | undefined;
  status?: DeliveryStatus | undefined;
}

/** An idempotency record: the key, a hash of the request, and the object it created. */
export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  operation: string;
  requestHash: string;
  resourceId: string;
}

export interface NewEventRows {
  event: EventRow;
  deliveries: DeliveryRow[];
  idempotency?: Omit<IdempotencyRecord, "resourceId"> | undefined;
  /**
   * On the first event of a batch request sent with an `Idempotency-Key`: that key, for the
   * whole request. When it was used before with another body, this event and the `size - 1`
   * after it are refused (`conflict`) and write nothing; with the same body they go on (their
   * own keys replay them).
   */
  batch?: { idempotency: Omit<IdempotencyRecord, "resourceId">; size: number } | undefined;
}

export type CreateEventResult =
  | { kind: "created"; event: EventRow; deliveries: number }
  | { kind: "replayed"; eventId: string }
  /** `batch`: the batch request's own key was used with another body (NewEventRows.batch). */
  | { kind: "conflict"; batch?: true };

/** What `Store.claimDue` is asked. */
export interface ClaimInput {
  now: number;
  limit: number;
  leaseUntil: number;
  owner: string;
  excludeEndpoints: readonly string[];
  perEndpoint: number;
  /** Endpoints this node knows may have due deliveries, and how many of each it can take. */
  shares?: Readonly<Record<string, number>> | undefined;
  /** false: only the endpoints in `shares` (the node knows of nothing due elsewhere). */
  scan?: boolean | undefined;
  /**
   * Told, when it is not zero, how many deliveries the claim chose and did not hand out: their
   * endpoint was gone, so it cancelled them (or leaves them for a later claim). They took room
   * in the claim, so one that returns fewer than `limit` has not necessarily seen all that is due.
   */
  onPassedOver?: ((count: number) => void) | undefined;
}

export interface Store {
  /** Cheap reachability check for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  createEndpoint(
    endpoint: EndpointRow,
    idempotency?: Omit<IdempotencyRecord, "resourceId">,
  ): Promise<{ kind: "created" | "replayed"; endpoint: EndpointRow } | { kind: "conflict" }>;
  getEndpoint(tenantId: string, id: string): Promise<EndpointRow | undefined>;
  listEndpoints(tenantId: string, options: ListOptions): Promise<Page<EndpointRow>>;
  /**
   * Every endpoint of a tenant, enabled or not, for matching an event's type at ingest (a
   * disabled endpoint gets a `skipped` delivery).
   */
  tenantEndpoints(tenantId: string): Promise<EndpointRow[]>;
  /**
   * Writes what an update may change (not the health). Disabling turns the endpoint's pending
   * deliveries `skipped`; enabling starts its failure ladder over. Returns the status before.
   */
  updateEndpoint(
    endpoint: EndpointRow,
    now: number,
  ): Promise<{ previousStatus: EndpointRow["status"] }>;
  /** Recent attempts and open deliveries of an endpoint, for its health report. */
  endpointActivity(endpointId: string, since: number, limit: number): Promise<EndpointActivity>;
  /** Deletes the endpoint and cancels its undelivered deliveries. */
  deleteEndpoint(tenantId: string, id: string, now: number): Promise<boolean>;

  /**
   * Stores events, each with one pending delivery per matching endpoint, in ONE transaction
   * (accepted = committed; a failure rejects them all). With an idempotency key, a replay of
   * the same request returns the first event and fans out nothing; the same key with another
   * request is a conflict. Results are in the order of `items`.
   *
   * Committed is not yet synced: before telling a client its event is accepted, await
   * `syncCommits()`. The deliveries may start meanwhile (a power cut in between loses an event
   * nobody was told about, which was perhaps delivered: the client retries it).
   */
  createEvents(items: readonly NewEventRows[]): Promise<CreateEventResult[]>;
  /**
   * Resolves once every commit made so far would survive a power cut. SQLite with `fsync`
   * durability syncs its WAL file here, off the event loop; PostgreSQL commits are synced by
   * the server already, and `process` durability does not promise a power cut.
   */
  syncCommits(): Promise<void>;
  getEvent(tenantId: string, id: string): Promise<EventRow | undefined>;
  listEvents(tenantId: string, filters: EventFilters): Promise<Page<EventRow>>;
  /** Deliveries not yet finished for each event: Stripe's `pending_webhooks`. */
  pendingDeliveryCounts(eventIds: string[]): Promise<Map<string, number>>;

  getDelivery(tenantId: string, id: string): Promise<DeliveryRow | undefined>;
  listDeliveries(tenantId: string, filters: DeliveryFilters): Promise<Page<DeliveryRow>>;
  listAttempts(deliveryId: string): Promise<AttemptRow[]>;
  /** Makes a finished or pending delivery due now (a manual retry); not one in flight. */
  retryDelivery(tenantId: string, id: string, now: number): Promise<DeliveryRow | undefined>;
  /**
   * Re-queues an endpoint's `failed` and `skipped` deliveries created in [since, until], oldest
   * first; what is already pending or in flight is left alone. Returns how many.
   */
  recoverDeliveries(input: {
    tenantId: string;
    endpointId: string;
    since: number;
    until: number;
    now: number;
  }): Promise<number>;
  /**
   * Resends an event: its finished deliveries (to `endpointId` only, when given) become due
   * now; one to an endpoint it never had is created. Pending and in-flight ones are left alone.
   * Returns the event's deliveries concerned, after the change.
   */
  retryEvent(input: {
    tenantId: string;
    eventId: string;
    endpointId: string | undefined;
    newDeliveryId: string;
    now: number;
  }): Promise<DeliveryRow[]>;

  /**
   * Claims up to `limit` due deliveries under a lease, with what the sender needs: the oldest
   * due of the endpoints named in `shares`, up to their share each, read through each
   * endpoint's own index, and, unless `scan` is false, of a run of the due index over every
   * endpoint neither named nor in `excludeEndpoints` (those at their cap, or whose circuit is
   * open), at most `perEndpoint` of each. Disabled endpoints are skipped. In both parts a keyed
   * delivery is taken only while none of its (endpoint, key) is in flight and none of an
   * earlier sequence is pending (docs/ordering.md): at most one per key, the key's lowest.
   * A named endpoint's due retries (deliveries attempted before) are taken before its first
   * attempts, so a failed delivery goes again when its schedule says, not behind a backlog.
   * Returned due retries first, then oldest due (`next_attempt_at`, then creation order): a
   * listen session's deliveries are sent one at a time in that order.
   */
  claimDue(input: ClaimInput): Promise<ClaimedDelivery[]>;
  /**
   * Records attempts and delivery states in one transaction, steps each enabled endpoint's
   * failure ladder, disables endpoints (410 Gone, or the ladder's end: their pending deliveries
   * become `skipped`) and returns the ladder steps taken.
   */
  recordResults(
    results: AttemptResult[],
    now: number,
    ladder: LadderPolicy,
  ): Promise<HealthChange[]>;
  /**
   * Gives deliveries this owner holds back, due at `dueAt` (no attempt counted): the circuit is
   * open or the endpoint's queue is full. Returns how many.
   */
  releaseDeliveries(
    ids: readonly string[],
    owner: string,
    dueAt: number,
    now: number,
  ): Promise<number>;
  /** Moves an endpoint's pending deliveries due before `until` to `until` (its circuit opened). */
  deferEndpoint(endpointId: string, until: number, now: number): Promise<number>;
  /**
   * Makes every pending delivery of an endpoint due at `now`, retries included: a listener
   * connected to a listen session, and what waited for it goes now. One due time for all means
   * they are claimed in creation order. Returns how many.
   */
  resumeEndpoint(endpointId: string, now: number): Promise<number>;
  /** Gives this owner's leases back (shutdown): the deliveries become due again. */
  releaseLeases(owner: string, now: number): Promise<number>;
  /**
   * Makes deliveries whose lease ends before `leaseEndsBefore` (default `now`: expired, their
   * holder crashed) due again at `now`.
   */
  reclaimExpired(now: number, leaseEndsBefore?: number): Promise<number>;
  /** The earliest time a pending delivery falls due, if any. */
  nextDueAt(): Promise<number | undefined>;
  /**
   * Optional: calls `listener` whenever another process (or this one) committed deliveries that
   * are due now (naming their endpoints when it can), so a dispatcher sharing the database with
   * other nodes claims them at once instead of at its next poll (PostgreSQL: LISTEN/NOTIFY). A single-process store leaves it
   * out: in-process wake-ups cover it. Returns the unsubscribe function.
   */
  onDeliveriesDue?(listener: (endpointIds?: string[]) => void): () => void;
  /**
   * Rewrites stored endpoint secrets for which `reseal` returns a new value (sealing plaintext,
   * or re-sealing under a new key). Optional: a store without it keeps what it has, readable.
   */
  resealSecrets?(reseal: (stored: string) => string | undefined): Promise<number>;
  /**
   * Retention, one short write transaction: examines up to `limit` events after the cursor
   * `after`, oldest first, and deletes those created before `cutoff` whose deliveries are all
   * finished (none `pending` or `in_flight`), with their deliveries, attempts and idempotency
   * key. The first batch of a pass (no `after`) also deletes other idempotency keys created
   * before `cutoff`, and the charts' rollups of minutes before the cutoff's. Call again with `after: next` until `next` is undefined.
   */
  pruneBefore(
    cutoff: number,
    options: { limit: number; after?: number | undefined },
  ): Promise<PruneBatch>;

  /**
   * Folds the charts' rollup rows of minutes before `before` that several connections wrote
   * (shards, store/rollups.ts) into one row per scope and minute, at most `limit` rows a call;
   * answers how many it folded. Optional: a store that writes one row per minute has none.
   */
  compactRollups?(before: number, limit: number): Promise<number>;

  /** Queue depth, the oldest due delivery and endpoint states, read when /metrics is scraped. */
  stats(now: number): Promise<StoreStats>;
  /** The schema version applied and the latest this build knows, for /readyz. */
  schemaVersion(): Promise<{ applied: number; latest: number }>;
  /**
   * Events and attempts per time bucket of [since, until), for the dashboard's charts: from
   * per-minute rollups when the buckets are whole minutes from a minute (store/rollups.ts),
   * else from the rows.
   */
  timeline(query: TimelineQuery): Promise<Timeline>;
}

export interface TimelineQuery {
  tenantId: string;
  since: number;
  until: number;
  bucketMs: number;
  /** Attempts of this endpoint only (events are then not counted). */
  endpointId?: string | undefined;
}

/** One bucket of a timeline: events created, attempts by outcome, p95 attempt duration. */
export interface TimelineBucket {
  start: number;
  events: number;
  attemptsOk: number;
  attemptsFailed: number;
  p95Ms: number | null;
}

/** Every bucket of the window, oldest first (empty ones too), and the whole window's p95. */
export interface Timeline {
  buckets: TimelineBucket[];
  p95Ms: number | null;
}

/** What /metrics reads of the store (all tenants). Counts stop at a cap (see sqlite/stats.ts). */
export interface StoreStats {
  /** Pending deliveries already due. */
  dueDeliveries: number;
  /** Pending deliveries waiting for a later attempt (a retry). */
  scheduledDeliveries: number;
  inFlightDeliveries: number;
  /** When the longest-waiting due delivery fell due; null when none is due. */
  oldestDueAt: number | null;
  /** Endpoints by state: the health of enabled ones (`healthy`, `failing`, …), else `disabled`. */
  endpointsByState: Record<string, number>;
}

/** What one retention batch deleted, and where the next batch of the pass starts. */
export interface PruneBatch {
  events: number;
  deliveries: number;
  attempts: number;
  idempotencyKeys: number;
  /** The cursor for the next batch; undefined once the pass reached the retention window. */
  next: number | undefined;
}
