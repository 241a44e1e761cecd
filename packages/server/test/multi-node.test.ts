// Three real `hookline serve` processes on one PostgreSQL database, one killed with SIGKILL
// mid-run: nothing acknowledged is lost, duplicates come only from what the dead node held, and
// the attempt rows show no delivery ever sent by two nodes at once.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_multi_node_0123456789";
// The volume. Override with MULTI_NODE_EVENTS for a quicker local run.
const EVENTS = Number(process.env.MULTI_NODE_EVENTS ?? 10_000);
const CLIENTS = 16;

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(() => db.drop());

it("delivers every accepted event through kill -9 of one of three nodes, duplicates only for what it held, never by two nodes at once", async () => {
  // 5 ms of work per request: enough that attempts are in flight when the kill lands.
  const receivers = await Promise.all(
    [0, 1].map(() => startReceiver(() => ({ status: 200, delayMs: 5 }))),
  );
  const env = {
    HOOKLINE_API_KEY: KEY,
    HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HOOKLINE_LOG_LEVEL: "warn",
    HOOKLINE_DELIVERY_TIMEOUT: "5s",
    // An attempt that times out on a starved machine is retried within seconds, not minutes.
    HOOKLINE_RETRY_SCHEDULE: "1s,1s,1s,1s,1s,1s,1s,1s",
    // The dead node's leases expire after 20 s instead of a minute, so the test sees them
    // reclaimed by a survivor. Not shorter: on a loaded 2-core machine a live node took over
    // 5 s to record an attempt, its lease expired, and a second node sent it again.
    HOOKLINE_LEASE: "20s",
  };
  const args = ["--port", "0", "--database", db.url, "--allow-network", "127.0.0.0/8"];
  // Started at once: they race to migrate, and the advisory lock makes one of them do it.
  const nodes = await Promise.all([0, 1, 2].map(() => spawnServe(args, env)));
  const victim = nodes[2]!;
  const alive = new Set(nodes.map((n) => n.url));
  try {
    for (const receiver of receivers) {
      await post(nodes[0]!.url, "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
      });
    }
    const accepted: string[] = [];
    let killedAt = 0;
    let orphaned = -1;
    const kill = async () => {
      alive.delete(victim.url);
      victim.child.kill("SIGKILL");
      await exited(victim.child);
      killedAt = accepted.length;
      // Frozen until their lease expires: what the dead node had claimed and not recorded.
      const { rows } = await db.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM deliveries WHERE status = 'in_flight' AND lease_owner LIKE $1",
        [`%:${victim.child.pid}:%`],
      );
      orphaned = Number(rows[0]!.n);
    };
    let killing: Promise<void> | undefined;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = client; i < EVENTS; i += CLIENTS) {
          if (killing === undefined && accepted.length >= EVENTS / 3) killing = kill();
          accepted.push(await createEvent([...alive], i));
        }
      }),
    );
    await killing;
    const ingestMs = Date.now() - started;
    expect(new Set(accepted).size).toBe(EVENTS);

    for (const receiver of receivers) {
      // Read only the receipts that are new since the last poll: rebuilding the set for every
      // check starved this process's receivers at 10,000 events, and their answers timed out.
      const ids = new Set<string>();
      let read = 0;
      await waitFor(
        () => {
          for (; read < receiver.received.length; read++)
            ids.add(receiver.received[read]!.headers["webhook-id"] as string);
          return ids.size >= EVENTS && accepted.every((id) => ids.has(id));
        },
        240_000,
        "every event delivered",
      );
    }
    const deliveredMs = Date.now() - started;
    // A delivery whose attempt timed out after the receiver got it is retried: wait for those.
    await waitFor(
      async () =>
        (await db.pool.query("SELECT 1 FROM deliveries WHERE status <> 'succeeded' LIMIT 1"))
          .rowCount === 0,
      60_000,
      "every delivery to succeed",
    ).catch(async (error: Error) => {
      // Say what is left, by status and attempt count: stuck and exhausted look alike otherwise.
      const left = await db.pool.query(
        "SELECT status, attempt_count, lease_owner IS NOT NULL AS leased, count(*) AS n FROM deliveries WHERE status <> 'succeeded' GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 10",
      );
      throw new Error(`${error.message}: left ${JSON.stringify(left.rows)}`);
    });
    // Every send a live node makes is recorded as an attempt (a timeout the receiver still
    // answered is a recorded failure, then a retry: a duplicate the design allows). Receipts
    // beyond a delivery's attempt rows are sends nobody recorded: only the dead node's.
    const duplicates = receivers.reduce(
      (sum, r) =>
        sum + r.received.length - new Set(r.received.map((x) => x.headers["webhook-id"])).size,
      0,
    );
    const attempts = await db.pool.query<{ event_id: string; url: string; n: string }>(`
      SELECT d.event_id, e.url, count(a.id) AS n FROM deliveries d
      JOIN endpoints e ON e.id = d.endpoint_id LEFT JOIN attempts a ON a.delivery_id = d.id
      GROUP BY d.event_id, e.url`);
    const recorded = new Map(attempts.rows.map((r) => [`${r.url} ${r.event_id}`, Number(r.n)]));
    let unrecorded = 0;
    for (const receiver of receivers) {
      const receipts = new Map<string, number>();
      for (const r of receiver.received) {
        const key = `${receiver.url} ${r.headers["webhook-id"] as string}`;
        receipts.set(key, (receipts.get(key) ?? 0) + 1);
      }
      for (const [key, count] of receipts)
        unrecorded += Math.max(0, count - (recorded.get(key) ?? 0));
    }
    expect(orphaned).toBeGreaterThanOrEqual(0);
    expect(unrecorded).toBeLessThanOrEqual(orphaned);

    // No two attempts of one delivery overlap in time: [created_at, created_at + duration].
    const overlaps = await db.pool.query(`
        SELECT a.delivery_id FROM attempts a JOIN attempts b
          ON a.delivery_id = b.delivery_id AND a.id < b.id
         AND a.created_at < b.created_at + b.duration_ms AND b.created_at < a.created_at + a.duration_ms`);
    expect(overlaps.rows).toEqual([]);
    const open = await db.pool.query(
      "SELECT status, count(*) AS n FROM deliveries GROUP BY status ORDER BY status",
    );
    expect(open.rows).toEqual([{ status: "succeeded", n: String(EVENTS * 2) }]);
    console.info(
      `${EVENTS} events × 2 endpoints on 3 nodes: kill -9 after ${killedAt} accepted, ${orphaned} deliveries orphaned, ${duplicates} duplicate receipts (${unrecorded} unrecorded sends); ingest ${ingestMs} ms, all delivered after ${deliveredMs} ms`,
    );
    for (const node of nodes.slice(0, 2)) {
      node.child.kill("SIGTERM");
      expect((await exited(node.child)).code).toBe(0);
    }
  } finally {
    for (const node of nodes) node.child.kill("SIGKILL");
    await Promise.all(receivers.map((r) => r.close()));
  }
}, 300_000);

async function post(url: string, path: string, body: unknown, key?: string) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${KEY}`,
      "content-type": "application/json",
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as { id: string };
}

/**
 * Creates event `n` on some live node. A node dying mid-request may or may not have committed
 * it: the retry on another node carries the same Idempotency-Key, so it is accepted once.
 */
async function createEvent(urls: string[], n: number): Promise<string> {
  const body = { type: "charge.succeeded", data: { object: { n } } };
  for (let attempt = 0; ; attempt++) {
    const url = urls[(n + attempt) % urls.length]!;
    try {
      return (await post(url, "/v1/events", body, `event-${n}`)).id;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}
