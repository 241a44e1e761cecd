import type { Static } from "@sinclair/typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  type OutboxFailureRow,
  type OutboxStore,
  outboxStoreOf,
} from "../../store/outbox-types.ts";
import type { AppContext } from "../context.ts";
import { ApiError, ErrorType, invalidParam, notFound } from "../errors.ts";
import {
  defaultEmptyBody,
  errorResponses,
  IdParams,
  ListQuery,
  NoParams,
  pageOptions,
} from "../schemas/common.ts";
import { OutboxFailureChangeSchema, OutboxFailureListSchema } from "../schemas/outbox.ts";
import { listObject } from "../serialize.ts";
import { requireRoot } from "../tenancy.ts";

const ListOutboxFailuresQuery = Type.Object(
  { limit: ListQuery.limit, starting_after: ListQuery.starting_after },
  { additionalProperties: false },
);

const ID = /^obx_([1-9][0-9]{0,17})$/;

export const outboxFailureObject = (row: OutboxFailureRow) => ({
  id: `obx_${row.id}`,
  object: "outbox_failure" as const,
  tenant: row.tenantId,
  type: row.type,
  data: row.data,
  idempotency_key: row.idempotencyKey,
  ordering_key: row.orderingKey,
  created: Math.floor(row.createdAt / 1000),
  failed: Math.floor(row.failedAt / 1000),
  attempts: row.attempts,
  error: row.error,
});

/**
 * The outbox rows Hookline set aside (docs/outbox.md): the root key's, since a row may name a
 * tenant that does not exist.
 */
export function outboxRoutes(app: FastifyInstance, ctx: AppContext): void {
  const onlyRoot = { onRequest: async (request: FastifyRequest) => requireRoot(request) };
  /** The outbox, or the error that says this server has none. */
  const outboxOf = () => {
    const outbox = outboxStoreOf(ctx.store);
    if (outbox !== undefined) return outbox;
    throw new ApiError(
      400,
      ErrorType.invalidRequest,
      "outbox_unavailable",
      "The transactional outbox needs PostgreSQL; this server runs on SQLite (docs/outbox.md).",
    );
  };
  /** Runs `act` on the set-aside row `id` names, or answers 404. */
  const onRow = async (id: string, act: (outbox: OutboxStore, row: number) => Promise<boolean>) => {
    const outbox = outboxOf();
    const row = ID.exec(id)?.[1];
    if (row === undefined || !(await act(outbox, Number(row)))) {
      throw notFound("outbox_failure", id);
    }
  };

  app.post<{ Params: Static<typeof IdParams> }>(
    "/v1/outbox_failures/:id/retry",
    {
      ...onlyRoot,
      schema: {
        description:
          "Put a row set aside back in line, once its cause is fixed (the tenant created, say): the relay takes it again at once (root key only; PostgreSQL).",
        params: IdParams,
        body: NoParams,
        response: { 200: OutboxFailureChangeSchema, ...errorResponses },
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      await onRow(request.params.id, (outbox, row) => outbox.retryOutboxFailure(row));
      return { id: request.params.id, object: "outbox_failure" as const, retried: true };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/v1/outbox_failures/:id",
    {
      ...onlyRoot,
      schema: {
        description: "Delete a row set aside: it will never be sent (root key only; PostgreSQL).",
        params: IdParams,
        body: NoParams,
        response: { 200: OutboxFailureChangeSchema, ...errorResponses },
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      await onRow(request.params.id, (outbox, row) => outbox.deleteOutboxFailure(row));
      return { id: request.params.id, object: "outbox_failure" as const, deleted: true };
    },
  );

  app.get<{ Querystring: Static<typeof ListOutboxFailuresQuery> }>(
    "/v1/outbox_failures",
    {
      ...onlyRoot,
      schema: {
        description:
          "List the outbox rows set aside because they could not become events (an unknown tenant, a malformed type or data), newest first, with their errors (root key only; PostgreSQL).",
        querystring: ListOutboxFailuresQuery,
        response: { 200: OutboxFailureListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const outbox = outboxOf();
      const after = request.query.starting_after;
      const cursor = after === undefined ? undefined : ID.exec(after)?.[1];
      if (after !== undefined && cursor === undefined) {
        throw invalidParam(
          "starting_after",
          `Invalid id '${after.slice(0, 100)}': use obx_ and digits.`,
        );
      }
      const page = await outbox.listOutboxFailures({
        ...pageOptions(request.query),
        startingAfter: cursor,
      });
      return listObject("/v1/outbox_failures", page.data.map(outboxFailureObject), page.hasMore);
    },
  );
}
