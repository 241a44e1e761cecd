import type { Logger } from "../dispatch/dispatcher.ts";
import { StoreUnavailableError } from "../store/errors.ts";
import type { OutboxDecision, OutboxStore } from "../store/outbox-types.ts";
import { handOver, type IngestDeps } from "./create-event.ts";
import type { AcceptedListener } from "./observe-commits.ts";
import { checkOutboxRow, keyConflict, type RowChecks } from "./outbox-row.ts";
import { type PreparedEvent, prepareEvent } from "./prepare-event.ts";

export interface OutboxRelayOptions extends IngestDeps {
  outbox: OutboxStore;
  checks: RowChecks;
  /** Told of each event the relay commits, as the commit queue tells of the API's. */
  accepted: readonly AcceptedListener[];
  clock: () => number;
  log: Logger;
  /** Rows per transaction. */
  batchSize?: number;
  /** The look that finds rows whose NOTIFY was missed (a reconnect, a node down at the time). */
  pollMs?: number;
}

/** A row that broke this many relays for no reason of its content is set aside. */
const MAX_ATTEMPTS = 3;

/**
 * The outbox relay: wakes on the outbox's NOTIFY and on a slow poll, and turns waiting rows into
 * events, a batch per transaction, through the ingest of a batch request (prepareEvent, then
 * the store's event insert), so fan-out, ordering keys and idempotency are the API's. The rows
 * are deleted in the transaction that inserts their events: each becomes an event once, whether
 * the node is killed before, during or after it. A row that cannot be an event is set aside
 * with its error in that transaction too; the rows behind it go on.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 1000;
  let stopped = true;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  function kick(): void {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = drain().finally(() => {
      running = undefined;
      if (again) kick();
    });
  }

  async function drain(): Promise<void> {
    again = false;
    try {
      while (!stopped && (await relayOnce(batchSize)) === batchSize);
    } catch (error) {
      if (error instanceof StoreUnavailableError) return; // the poll comes back
      options.log.error({ err: error }, "relaying outbox rows failed: taking them one at a time");
      await oneByOne();
    }
  }

  /** Finds the row that breaks the relay by taking rows alone, counting the failure against it. */
  async function oneByOne(): Promise<void> {
    for (let n = 0; n < batchSize && !stopped; n++) {
      let seen: number | undefined;
      try {
        if ((await relayOnce(1, (id) => (seen = id))) === 0) return;
      } catch (error) {
        if (error instanceof StoreUnavailableError || seen === undefined) return;
        const message = error instanceof Error ? error.message : String(error);
        await options.outbox
          .countOutboxFailure(
            seen,
            { type: "api_error", code: "relay_failed", message: message.slice(0, 500) },
            options.clock(),
            MAX_ATTEMPTS,
          )
          .catch(() => {});
        return;
      }
    }
  }

  async function relayOnce(limit: number, saw?: (id: number) => void): Promise<number> {
    const now = options.clock();
    let prepared: PreparedEvent[] = [];
    // A batch's rows mostly name a few tenants: each is looked up once.
    const tenants = new Map<string, Promise<boolean>>();
    const checks: RowChecks = {
      ...options.checks,
      tenantExists: (id) => {
        let known = tenants.get(id);
        if (known === undefined) {
          known = options.checks.tenantExists(id);
          tenants.set(id, known);
        }
        return known;
      },
    };
    const { taken, results } = await options.outbox.relayOutbox(limit, now, async (rows) => {
      prepared = [];
      const decision: OutboxDecision = { relay: [], refuse: [] };
      for (const row of rows) {
        saw?.(row.id);
        const checked = await checkOutboxRow(row, checks);
        if ("error" in checked) {
          decision.refuse.push({ id: row.id, error: checked.error });
          continue;
        }
        const input = checked.ok;
        const endpoints = await options.endpoints.matching(input.tenantId, input.type);
        const event = prepareEvent(options.handoff, endpoints, input, now);
        prepared.push(event);
        decision.relay.push({
          id: row.id,
          rows: event.rows,
          conflict: keyConflict(row.idempotencyKey),
        });
      }
      return decision;
    });
    for (const [i, event] of prepared.entries()) {
      const result = results[i]!;
      handOver(options, event, result);
      if (result.kind !== "created") continue;
      for (const listener of options.accepted) listener(result.event, result.deliveries);
      options.spans?.ingested({ requestId: null }, result.event, now);
    }
    return taken;
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      unsubscribe = options.outbox.onOutboxRows(kick);
      timer = setInterval(kick, pollMs);
      timer.unref();
      kick();
    },
    /** Stops taking rows; a relay in progress finishes (or rolls back) first. */
    async stop(): Promise<void> {
      stopped = true;
      unsubscribe?.();
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
    /** Relays now (tests, and a caller that knows rows were written). */
    kick,
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
