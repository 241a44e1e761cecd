import type { AttemptErrorKind } from "../dispatch/outcome.ts";
import type { DeliveryStatus } from "../domain/delivery-status.ts";

// The storage seam. SQLite implements it today and PostgreSQL next; nothing outside `store/`
// touches a database driver. Times are unix milliseconds unless a name says seconds.

export type SignatureSchemes = "both" | "stripe" | "standard";

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
}

/** A claimed delivery with everything the sender needs, read in the claim itself. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  attemptCount: number;
  url: string;
  payload: Buffer;
  secrets: string[];
  signatureSchemes: SignatureSchemes;
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
}

export type CreateEventResult =
  | { kind: "created"; event: EventRow; deliveries: number }
  | { kind: "replayed"; eventId: string }
  | { kind: "conflict" };

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
  /** Enabled endpoints of a tenant, for matching an event's type at ingest. */
  enabledEndpoints(tenantId: string): Promise<EndpointRow[]>;
  updateEndpoint(endpoint: EndpointRow): Promise<void>;
  /** Deletes the endpoint and cancels its undelivered deliveries. */
  deleteEndpoint(tenantId: string, id: string, now: number): Promise<boolean>;

  /**
   * Stores events, each with one pending delivery per matching endpoint, in ONE transaction
   * (accepted = committed; a failure rejects them all). With an idempotency key, a replay of
   * the same request returns the first event and fans out nothing; the same key with another
   * request is a conflict. Results are in the order of `items`.
   */
  createEvents(items: readonly NewEventRows[]): Promise<CreateEventResult[]>;
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
   * Claims up to `limit` due deliveries under a lease, skipping `excludeEndpoints` (those at
   * their concurrency cap), with what the sender needs.
   */
  claimDue(input: {
    now: number;
    limit: number;
    leaseUntil: number;
    owner: string;
    excludeEndpoints: readonly string[];
  }): Promise<ClaimedDelivery[]>;
  /** Records attempts and delivery states in one transaction. */
  recordResults(results: AttemptResult[], now: number): Promise<void>;
  /** Gives this owner's leases back (shutdown): the deliveries become due again. */
  releaseLeases(owner: string, now: number): Promise<number>;
  /**
   * Makes deliveries whose lease ends before `leaseEndsBefore` (default `now`: expired, their
   * holder crashed) due again at `now`.
   */
  reclaimExpired(now: number, leaseEndsBefore?: number): Promise<number>;
  /** The earliest time a pending delivery falls due, if any. */
  nextDueAt(): Promise<number | undefined>;
}
