import {
  type ApiError,
  idempotencyConflict,
  invalidParam,
  notFound,
  toErrorBody,
} from "../api/errors.ts";
import { checkBatchItem } from "../api/routes/events-batch.ts";
import { IdPrefix, isId } from "../ids.ts";
import type { OutboxError, OutboxRow } from "../store/outbox-types.ts";
import type { NewEvent } from "./create-event.ts";

export interface RowChecks {
  strictEventTypes: boolean;
  /** The largest event `data` accepted, in bytes of JSON (the API's body limit). */
  maxPayloadBytes: number;
  tenantExists(id: string): Promise<boolean>;
}

/**
 * An outbox row as the event it asks for, or the error that sets it aside: the checks a batch
 * item gets from the API (schema, type, strict types), with the row's columns as params
 * (`type`, `data.object`, `tenant`), and a tenant that must exist.
 */
export async function checkOutboxRow(
  row: OutboxRow,
  checks: RowChecks,
): Promise<{ ok: NewEvent } | { error: OutboxError }> {
  if (!isId(row.tenantId, IdPrefix.tenant) || !(await checks.tenantExists(row.tenantId))) {
    return refused(notFound("tenant", row.tenantId, "tenant"));
  }
  const size = Buffer.byteLength(JSON.stringify(row.data) ?? "");
  if (size > checks.maxPayloadBytes) {
    return refused(
      invalidParam("data", `data is ${size} bytes of JSON; at most ${checks.maxPayloadBytes}.`),
    );
  }
  const item = {
    type: row.type,
    data: row.data,
    ...(row.idempotencyKey === null ? {} : { idempotency_key: row.idempotencyKey }),
    ...(row.orderingKey === null ? {} : { ordering_key: row.orderingKey }),
  };
  const error = checkBatchItem(item, checks);
  if (error !== undefined) return refused(error);
  return {
    ok: {
      tenantId: row.tenantId,
      type: row.type,
      data: row.data as NewEvent["data"],
      requestId: null,
      idempotencyKey: row.idempotencyKey ?? undefined,
      ...(row.orderingKey === null ? {} : { orderingKey: row.orderingKey }),
    },
  };
}

/** The error a row gets when its idempotency key turns out used with another event. */
export function keyConflict(key: string | null): OutboxError {
  const { type, code, message } = idempotencyConflict(key ?? "");
  return { type, code, message, param: "idempotency_key" };
}

const refused = (error: ApiError) => ({ error: toErrorBody(error).error });
