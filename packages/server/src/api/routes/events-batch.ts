import type { FastifyInstance } from "fastify";
import { type IngestResult, ingestEvents, type NewEvent } from "../../ingest/create-event.ts";
import { requestHash } from "../../ingest/prepare-event.ts";
import { incomingTrace } from "../../trace/trace-context.ts";
import type { AppContext } from "../context.ts";
import { ApiError, idempotencyConflict, invalidParam, toErrorBody } from "../errors.ts";
import { checkEventInput } from "../event-input.ts";
import { idempotencyKey } from "../idempotency-key.ts";
import { errorResponses } from "../schemas/common.ts";
import {
  BatchEnvelope,
  BatchEventItem,
  CreateEventBatchBody,
  EventBatchSchema,
} from "../schemas/event.ts";
import { eventObject } from "../serialize.ts";
import { fromValidation } from "../validation-error.ts";
import { compileBodyPart, validatorCompiler } from "../validator.ts";

const checkItem = compileBodyPart<BatchEventItem>(BatchEventItem);
const checkEnvelope = compileBodyPart(BatchEnvelope);

/**
 * `POST /v1/events/batch`: many events in one request, committed in one transaction.
 *
 * One bad item refuses only itself: its entry in the answer is its error, with its position as
 * `param` (`events[3].type`), and it writes nothing; the others are accepted, each exactly as if
 * it had been posted alone (its bytes, its deliveries, its idempotency key). A producer learns
 * in one answer which items to fix, and a backfill is not held back by one bad row. What
 * concerns the request as a whole (too many events, too large a body, a reused Idempotency-Key)
 * refuses all of it.
 */
export function eventBatchRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { maxBatchEvents, maxBatchBytes } = ctx.config;
  app.post<{ Body: { events: unknown[] } }>(
    "/v1/events/batch",
    {
      schema: {
        description: `Send up to ${maxBatchEvents} events in one request, committed together. The answer lists every item in order: its event, or its error (param \`events[i]…\`); a bad item refuses only itself.`,
        body: CreateEventBatchBody,
        response: { 200: EventBatchSchema, ...errorResponses, 409: errorResponses[400] },
      },
      bodyLimit: maxBatchBytes,
      // The documented schema is the item's; the route checks the envelope, then each item.
      validatorCompiler: (route) =>
        route.httpPart === "body" ? checkEnvelope : validatorCompiler(route),
    },
    async (request, reply) => {
      const { events } = request.body;
      if (events.length > maxBatchEvents) {
        throw invalidParam(
          "events",
          `Too many events: ${events.length}, at most ${maxBatchEvents} per batch. Send them in several batches (the client's events.createMany does).`,
        );
      }
      const key = idempotencyKey(request.headers);
      const errors = new Map<number, ApiError>();
      // One request, one trace: every item's deliveries continue the request's traceparent.
      const trace = incomingTrace(request.headers);
      const inputs: NewEvent[] = [];
      const positions: number[] = [];
      events.forEach((item, i) => {
        const refused = checkBatchItem(item, ctx.config);
        if (refused !== undefined) {
          errors.set(i, atPosition(refused, i));
          return;
        }
        const event = item as BatchEventItem;
        const own = event.idempotency_key;
        inputs.push({
          tenantId: request.tenantId,
          type: event.type,
          data: event.data,
          requestId: request.id,
          idempotencyKey: own ?? key,
          orderingKey: event.ordering_key,
          trace,
          // Without a key of its own, an item keeps the request's under its position.
          keyScope:
            own === undefined && key !== undefined
              ? { operation: "events.batch_item", key: `${i}:${key}` }
              : undefined,
        });
        positions.push(i);
      });
      const outcome = await ingestEvents(
        ctx,
        inputs,
        ctx.clock(),
        key === undefined ? undefined : { key, requestHash: requestHash(request.body) },
      );
      if (outcome.kind === "conflict") throw idempotencyConflict(key!);
      const answered = new Map<number, IngestResult>();
      for (const [n, result] of outcome.results.entries()) answered.set(positions[n]!, result);
      const replayed = outcome.results.flatMap((r) => (r.kind === "replayed" ? [r.event.id] : []));
      const pending = await ctx.store.pendingDeliveryCounts(replayed);
      // Created events answer with their stored bytes, as a single create does.
      const data = events.map((_, i) => {
        const error = errors.get(i);
        if (error !== undefined) return JSON.stringify(toErrorBody(error));
        const result = answered.get(i)!;
        if (result.kind === "created") return result.event.payload.toString();
        if (result.kind === "replayed") {
          return JSON.stringify(eventObject(result.event, pending.get(result.event.id) ?? 0));
        }
        const own = (events[i] as BatchEventItem).idempotency_key ?? key!;
        return JSON.stringify(
          toErrorBody(atPosition(idempotencyConflict(own), i, "idempotency_key")),
        );
      });
      return reply
        .type("application/json")
        .send(
          `{"object":"list","data":[${data.join(",")}],"has_more":false,"url":"/v1/events/batch"}`,
        );
    },
  );
}

/** The checks of one item (the outbox relay makes the same of each row). */
export function checkBatchItem(item: unknown, options: { strictEventTypes: boolean }) {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return invalidParam(
      "",
      'Each item must be an event object: {"type": …, "data": {"object": …}}.',
    );
  }
  if (!checkItem(item)) return fromValidation(checkItem.errors ?? [], undefined);
  return checkEventInput(item.type, item.data.object, options);
}

/** The item's error with its position in front of its param: `events[3].type`. */
function atPosition(error: ApiError, i: number, param = error.param): ApiError {
  const at = param === undefined || param === "" ? `events[${i}]` : `events[${i}].${param}`;
  return new ApiError(error.status, error.type, error.code, error.message, at);
}
