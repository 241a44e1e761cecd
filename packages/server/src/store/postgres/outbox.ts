import type pg from "pg";
import type {
  OutboxDecision,
  OutboxError,
  OutboxFailureRow,
  OutboxRow,
  OutboxStore,
} from "../outbox-types.ts";
import type { ListOptions, Page } from "../types.ts";
import { insertEvents } from "./events.ts";
import { transaction } from "./pool.ts";

/** The channel the outbox table's trigger notifies at the application's commit (0007-outbox). */
export const OUTBOX_CHANNEL = "hookline_outbox";

// SKIP LOCKED: several nodes relay side by side, each taking rows no other holds, and none
// waits for another's transaction. A row stays locked until the transaction that turns it into
// an event deletes it, so a node killed half-way leaves it to the next taker, untouched.
const TAKE = `SELECT id, tenant_id, type, data, idempotency_key, ordering_key, created_at, attempts
  FROM outbox WHERE failed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;
const DELETE = "DELETE FROM outbox WHERE id = ANY($1::bigint[])";
const SET_ASIDE = `UPDATE outbox o SET failed_at = $3, error = f.error, attempts = o.attempts + 1
  FROM unnest($1::bigint[], $2::jsonb[]) AS f (id, error) WHERE o.id = f.id`;
const COUNT_FAILURE = `UPDATE outbox SET attempts = attempts + 1, error = $2,
    failed_at = CASE WHEN attempts + 1 >= $4 THEN $3::bigint END
  WHERE id = $1 AND failed_at IS NULL`;

interface OutboxRecord {
  id: string;
  tenant_id: string;
  type: string;
  data: unknown;
  idempotency_key: string | null;
  ordering_key: string | null;
  created_at: number;
  attempts: number;
  error?: OutboxError;
  failed_at?: number;
}

const toRow = (r: OutboxRecord): OutboxRow => ({
  id: Number(r.id),
  tenantId: r.tenant_id,
  type: r.type,
  data: r.data,
  idempotencyKey: r.idempotency_key,
  orderingKey: r.ordering_key,
  createdAt: r.created_at,
  attempts: r.attempts,
});

export function outboxQueries(
  pool: pg.Pool,
  listen: (listener: () => void) => () => void,
): OutboxStore {
  return {
    relayOutbox: (limit, now, decide) =>
      transaction(pool, async (client) => {
        const { rows } = await client.query<OutboxRecord>({
          name: "outbox-take",
          text: TAKE,
          values: [limit],
        });
        if (rows.length === 0) return { taken: 0, results: [] };
        const decision: OutboxDecision = await decide(rows.map(toRow));
        const results = await insertEvents(
          client,
          decision.relay.map((r) => r.rows),
        );
        const refused = [...decision.refuse];
        const done: number[] = [];
        for (const [i, { id, conflict }] of decision.relay.entries()) {
          if (results[i]!.kind === "conflict") refused.push({ id, error: conflict });
          else done.push(id);
        }
        if (done.length > 0)
          await client.query({ name: "outbox-delete", text: DELETE, values: [done] });
        if (refused.length > 0) {
          await client.query({
            name: "outbox-set-aside",
            text: SET_ASIDE,
            values: [refused.map((r) => r.id), refused.map((r) => JSON.stringify(r.error)), now],
          });
        }
        return { taken: rows.length, results };
      }),

    async countOutboxFailure(id, error, now, maxAttempts) {
      await pool.query(COUNT_FAILURE, [id, JSON.stringify(error), now, maxAttempts]);
    },

    retryOutboxFailure: (id) =>
      transaction(pool, async (client) => {
        const { rowCount } = await client.query(
          "UPDATE outbox SET failed_at = NULL, error = NULL, attempts = 0 WHERE id = $1 AND failed_at IS NOT NULL",
          [id],
        );
        // An UPDATE fires no insert trigger: the relays are woken here, at this commit.
        if (rowCount === 1) await client.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
        return rowCount === 1;
      }),

    async deleteOutboxFailure(id) {
      const { rowCount } = await pool.query(
        "DELETE FROM outbox WHERE id = $1 AND failed_at IS NOT NULL",
        [id],
      );
      return rowCount === 1;
    },

    async listOutboxFailures(options: ListOptions): Promise<Page<OutboxFailureRow>> {
      const after = options.startingAfter;
      const { rows } = await pool.query<OutboxRecord>(
        `SELECT * FROM outbox WHERE failed_at IS NOT NULL ${after === undefined ? "" : "AND id < $2"}
         ORDER BY id DESC LIMIT $1`,
        after === undefined ? [options.limit + 1] : [options.limit + 1, after],
      );
      const hasMore = rows.length > options.limit;
      if (hasMore) rows.pop();
      return {
        data: rows.map((r) => ({ ...toRow(r), error: r.error!, failedAt: r.failed_at! })),
        hasMore,
      };
    },

    onOutboxRows: listen,
  };
}
