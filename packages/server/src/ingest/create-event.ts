import type { Circuit } from "../domain/circuit-breaker.ts";
import type { ClaimedDelivery, CreateEventResult, EventRow, Store } from "../store/types.ts";
import type { IngestSpans } from "../trace/span-export.ts";
import type { TraceContext } from "../trace/trace-context.ts";
import type { CommitQueue } from "./commit-queue.ts";
import type { EndpointCache } from "./endpoint-cache.ts";
import { type PreparedEvent, prepareEvent } from "./prepare-event.ts";

export interface NewEvent {
  tenantId: string;
  type: string;
  data: {
    object: Record<string, unknown>;
    previous_attributes?: Record<string, unknown> | undefined;
  };
  /** The API request that created it; `null` for the events Hookline emits itself. */
  requestId: string | null;
  /** The key the event shows (`request.idempotency_key`) and, unless `keyScope`, is kept under. */
  idempotencyKey: string | undefined;
  /**
   * Where the key is kept when not as a create's own (`events.create`, the key as given): an
   * item of a batch without a key of its own keeps the request's key under its position.
   */
  keyScope?: { operation: string; key: string } | undefined;
  /** Given, or `null` for none; absent: `data.object.id` when it is a string (docs/ordering.md). */
  orderingKey?: string | null | undefined;
  /**
   * The ingest request's valid `traceparent` (and `tracestate`): its deliveries continue that
   * trace. Absent: the event starts a trace of its own.
   */
  trace?: TraceContext | undefined;
}

/**
 * The dispatcher's side of "claim at insert": a delivery whose endpoint has a free slot on this
 * node is inserted already leased to it and handed over in memory after the commit, which saves
 * a claim transaction and a trip through the event loop on the hot path.
 */
export interface DeliveryHandoff {
  owner: string;
  leaseMs: number;
  hasRoom(endpointId: string): boolean;
  adopt(deliveries: ClaimedDelivery[]): void;
  /**
   * Deliveries were left pending for the dispatcher to claim: of these endpoints, or of any
   * when none are named.
   */
  wake(endpointIds?: Iterable<string>): void;
  /** Forgets what this node learned of an endpoint's failures (an operator says it is fixed). */
  resetEndpoint(endpointId: string): void;
  /** This node's circuit for the endpoint when it is not closed (health report, metrics). */
  circuitOf?(endpointId: string): Circuit | undefined;
}

export interface IngestDeps {
  store: Store;
  commits: CommitQueue;
  endpoints: EndpointCache;
  handoff: DeliveryHandoff;
  /** With OpenTelemetry export on: told of every event accepted (trace/span-export.ts). */
  spans?: IngestSpans | undefined;
}

export type IngestResult = { kind: "created" | "replayed"; event: EventRow } | { kind: "conflict" };

/**
 * Ingest: build the event's bytes once, match the tenant's endpoints, and commit the event with
 * one delivery per match in one transaction (prepare-event.ts). Accepted = committed: the
 * caller answers only after this resolves.
 */
export async function ingestEvent(
  deps: IngestDeps,
  input: NewEvent,
  now: number,
): Promise<IngestResult> {
  const prepared = prepareEvent(
    deps.handoff,
    await deps.endpoints.matching(input.tenantId, input.type),
    input,
    now,
  );
  const { result, durable } = await deps.commits.commit(prepared.rows);
  handOver(deps, prepared, result);
  await durable;
  if (deps.spans !== undefined && result.kind === "created") {
    deps.spans.ingested(input, result.event, now);
  }
  return settle(deps, input.tenantId, result);
}

/**
 * A batch's events, committed in one transaction (never split), each exactly as `ingestEvent`
 * would commit it alone; results in the order of `inputs`. With `batchKey` (the request's
 * Idempotency-Key), a reuse of that key with another body is a `conflict` that wrote nothing.
 */
export async function ingestEvents(
  deps: IngestDeps,
  inputs: readonly NewEvent[],
  now: number,
  batchKey?: { key: string; requestHash: string },
): Promise<{ kind: "conflict" } | { kind: "done"; results: IngestResult[] }> {
  if (inputs.length === 0) return { kind: "done", results: [] };
  const tenantId = inputs[0]!.tenantId;
  const prepared: PreparedEvent[] = [];
  for (const input of inputs) {
    const endpoints = await deps.endpoints.matching(tenantId, input.type);
    prepared.push(prepareEvent(deps.handoff, endpoints, input, now));
  }
  if (batchKey !== undefined) {
    prepared[0]!.rows.batch = {
      idempotency: { tenantId, operation: "events.batch", ...batchKey },
      size: prepared.length,
    };
  }
  const { results, durable } = await deps.commits.commitMany(prepared.map((p) => p.rows));
  for (const [i, p] of prepared.entries()) handOver(deps, p, results[i]!);
  await durable;
  if (deps.spans !== undefined) {
    for (const [i, result] of results.entries()) {
      if (result.kind === "created") deps.spans.ingested(inputs[i]!, result.event, now);
    }
  }
  if (results.some((r) => r.kind === "conflict" && r.batch === true)) return { kind: "conflict" };
  const settled: IngestResult[] = [];
  for (const result of results) settled.push(await settle(deps, tenantId, result));
  return { kind: "done", results: settled };
}

/** After the commit: the deliveries leased at insert run, the others are claimed. */
export function handOver(
  deps: IngestDeps,
  prepared: PreparedEvent,
  result: CreateEventResult,
): void {
  if (result.kind !== "created") return;
  // Sent while the commit is being synced: the receipt waits for the network, not the disk.
  if (prepared.claimed.length > 0) deps.handoff.adopt(prepared.claimed);
  if (prepared.left.length > 0) deps.handoff.wake(prepared.left);
}

async function settle(
  deps: IngestDeps,
  tenantId: string,
  result: CreateEventResult,
): Promise<IngestResult> {
  if (result.kind !== "replayed") return result;
  const first = await deps.store.getEvent(tenantId, result.eventId);
  if (first === undefined) {
    throw new Error(`idempotency record points to missing event ${result.eventId}`);
  }
  return { kind: "replayed", event: first };
}
