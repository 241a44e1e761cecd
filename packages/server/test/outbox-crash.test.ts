// kill -9 of a node while it relays outbox rows: two real `hookline serve` processes on one
// PostgreSQL, an application committing 2,000 rows in transactions of 100, one node killed
// mid-way. Each committed row must become exactly one event (none lost, none doubled), and
// every event reach the receiver.
import { randomBytes } from "node:crypto";
import { emitMany } from "@hookline/webhooks/outbox";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_outbox_crash_0123456789";
const ROWS = 2000;
const PER_TRANSACTION = 100;

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(() => db.drop());

it("turns every committed row into exactly one event through kill -9 of a relaying node", async () => {
  const receiver = await startReceiver();
  const env = {
    HOOKLINE_API_KEY: KEY,
    HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HOOKLINE_LOG_LEVEL: "warn",
    HOOKLINE_DELIVERY_TIMEOUT: "2s",
    // What the dead node leased at insert goes to the survivor within seconds.
    HOOKLINE_LEASE: "4s",
  };
  const args = ["--port", "0", "--database", db.url, "--allow-network", "127.0.0.0/8"];
  const nodes = await Promise.all([0, 1].map(() => spawnServe(args, env)));
  const [victim, survivor] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  const app = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const created = await fetch(`${survivor.url}/v1/webhook_endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url, enabled_events: ["*"] }),
    });
    expect(created.status).toBe(200);
    const events = async () =>
      Number((await db.pool.query("SELECT count(*) AS n FROM events")).rows[0].n);

    let relayedAtKill = -1;
    let victimLeased = -1;
    for (let t = 0; t < ROWS / PER_TRANSACTION; t++) {
      const client = await app.connect();
      try {
        await client.query("BEGIN");
        await emitMany(
          client,
          Array.from({ length: PER_TRANSACTION }, (_, i) => ({
            type: "invoice.paid",
            data: { object: { id: `in_${t * PER_TRANSACTION + i}` } },
          })),
        );
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      if (t === 0) await waitFor(async () => (await events()) > 0, 10_000, "relaying to begin");
      // A third of the way, right after a commit whose NOTIFY both nodes are answering: the
      // victim dies, and any relay transaction of its with it.
      if (t === Math.floor(ROWS / PER_TRANSACTION / 3)) {
        victim.child.kill("SIGKILL");
        expect((await exited(victim.child)).signal).toBe("SIGKILL");
        relayedAtKill = await events();
        victimLeased = Number(
          (
            await db.pool.query("SELECT count(*) AS n FROM deliveries WHERE lease_owner LIKE $1", [
              `%:${victim.child.pid}:%`,
            ])
          ).rows[0].n,
        );
      }
    }
    await waitFor(
      async () => Number((await db.pool.query("SELECT count(*) AS n FROM outbox")).rows[0].n) === 0,
      60_000,
      "the outbox to empty",
    );
    console.info(
      `kill -9 with ${relayedAtKill}/${ROWS} rows relayed, ${victimLeased} deliveries leased to the victim`,
    );
    expect(relayedAtKill).toBeGreaterThan(0);
    expect(relayedAtKill).toBeLessThan(ROWS);

    // Exactly one event per row: none lost, none doubled.
    const { rows } = await db.pool.query<{ id: string; n: string }>(
      "SELECT convert_from(payload, 'UTF8')::json->'data'->'object'->>'id' AS id, count(*) AS n FROM events GROUP BY 1",
    );
    expect(rows).toHaveLength(ROWS);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.id))).toEqual(
      new Set(Array.from({ length: ROWS }, (_, i) => `in_${i}`)),
    );

    // And each reached the receiver (a send the dead node had in flight may arrive twice).
    const eventIds = (await db.pool.query<{ id: string }>("SELECT id FROM events")).rows.map(
      (r) => r.id,
    );
    await waitFor(
      () => {
        const got = new Set(receiver.received.map((r) => r.headers["webhook-id"] as string));
        return eventIds.every((id) => got.has(id));
      },
      60_000,
      "every event delivered",
    );
  } finally {
    await app.end();
    for (const node of nodes) node.child.kill("SIGKILL");
    await receiver.close();
  }
}, 150_000);
