// The transactional outbox's writing side (docs/outbox.md): an event emitted in the
// application's own transaction, so that it is sent if and only if that transaction commits.
// Zero runtime dependencies: it takes whatever runs a query in that transaction.

/** An event to emit: what `POST /v1/events` takes, in the application's transaction. */
export interface OutboxEvent {
  /** The event's type, such as `payment_intent.succeeded`. */
  type: string;
  /** The event's data: `{object: {…}}`, and `previous_attributes` for an update. */
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  /** The event's idempotency key: the same key and event emitted twice are one event. */
  idempotencyKey?: string;
  /** The tenant (`tn_…`) the event belongs to; the default tenant when absent. */
  tenant?: string;
  /** Events of one key reach an ordered endpoint in order; default: `data.object.id`. */
  orderingKey?: string;
}

/**
 * Runs one statement with `$1`-style parameters in the caller's transaction: a `pg` client
 * (`PoolClient`, `Client`) as it is, or a function for any other driver or ORM, such as
 * `(sql, params) => tx.$executeRawUnsafe(sql, ...params)` for Prisma.
 */
export type OutboxQuery =
  | { query(sql: string, params: unknown[]): Promise<unknown> }
  | ((sql: string, params: unknown[]) => Promise<unknown>);

export interface OutboxOptions {
  /** The schema Hookline's tables are in, when it is not on the connection's search_path. */
  schema?: string;
}

/**
 * Emits an event in the caller's transaction: Hookline sends it once that transaction commits,
 * and never if it rolls back.
 *
 * @example
 * ```ts
 * import { emit } from "@hookline/webhooks/outbox";
 *
 * const client = await pool.connect();
 * await client.query("BEGIN");
 * await client.query("UPDATE orders SET status = 'paid' WHERE id = $1", [order.id]);
 * await emit(client, { type: "payment_intent.succeeded", data: { object: paymentIntent } });
 * await client.query("COMMIT");
 * ```
 */
export async function emit(
  db: OutboxQuery,
  event: OutboxEvent,
  options: OutboxOptions = {},
): Promise<void> {
  check(event, 0);
  // Scalar parameters, not emitMany's arrays: every driver and ORM binds these the same way.
  await run(db, {
    text: `SELECT ${functionName(options)}($1, $2::json, $3, $4, $5)`,
    values: [
      event.type,
      JSON.stringify(event.data),
      event.idempotencyKey ?? null,
      event.tenant ?? null,
      event.orderingKey ?? null,
    ],
  });
}

/**
 * Emits several events in the caller's transaction, in one statement (one round trip), in the
 * order given.
 *
 * @example
 * ```ts
 * await emitMany(client, invoices.map((invoice) => ({ type: "invoice.paid", data: { object: invoice } })));
 * ```
 */
export async function emitMany(
  db: OutboxQuery,
  events: readonly OutboxEvent[],
  options: OutboxOptions = {},
): Promise<void> {
  if (events.length === 0) return;
  await run(db, emitStatement(events, options));
}

async function run(db: OutboxQuery, statement: { text: string; values: unknown[] }) {
  if (typeof db === "function") await db(statement.text, statement.values);
  else await db.query(statement.text, statement.values);
}

function functionName(options: OutboxOptions): string {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_$]*$/i.test(schema)) {
    throw new TypeError(`outbox: invalid schema name '${schema}'`);
  }
  return schema === undefined ? "hookline_emit" : `"${schema}".hookline_emit`;
}

/**
 * The statement `emitMany` runs, for a driver that wants it in its own shape: `text` with
 * `$1`…`$5` (each an array, one item per event) and `values`.
 */
export function emitStatement(
  events: readonly OutboxEvent[],
  options: OutboxOptions = {},
): { text: string; values: (string | null)[][] } {
  events.forEach(check);
  const fn = functionName(options);
  return {
    // WITH ORDINALITY … ORDER BY: the rows are written, and so sent, in the order given.
    text: `SELECT ${fn}(e.type, e.data::json, e.idempotency_key, e.tenant, e.ordering_key)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
    AS e (type, data, idempotency_key, tenant, ordering_key, n)
  ORDER BY e.n`,
    values: [
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => e.idempotencyKey ?? null),
      events.map((e) => e.tenant ?? null),
      events.map((e) => e.orderingKey ?? null),
    ],
  };
}

/**
 * What is wrong with an event is best learnt before the transaction commits: Hookline sets a
 * row it cannot send aside, and says why only in its API.
 */
function check(event: OutboxEvent, i: number): void {
  const at = `outbox: event ${i}`;
  if (typeof event?.type !== "string" || event.type === "") {
    throw new TypeError(`${at}: type must be a non-empty string`);
  }
  const object = (event.data as { object?: unknown } | undefined)?.object;
  if (typeof object !== "object" || object === null || Array.isArray(object)) {
    throw new TypeError(`${at}: data must be {object: {…}}`);
  }
  for (const name of ["idempotencyKey", "tenant", "orderingKey"] as const) {
    const value = event[name];
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new TypeError(`${at}: ${name} must be a non-empty string when given`);
    }
  }
}
