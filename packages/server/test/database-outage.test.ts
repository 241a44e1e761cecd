// PostgreSQL crashes (immediate shutdown, SIGQUIT to its postmaster) in the middle of a burst of
// events and comes back on the same data a few seconds later, under real `hookline serve`
// processes: they stay up, answer 503 database_unavailable meanwhile, and deliver every event
// they acknowledged once the database is back (issue 20).
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import { expectAllDelivered, expectRefusals, startBurst } from "./support/burst.ts";
import { type CrashablePostgres, startCrashablePostgres } from "./support/crashable-postgres.ts";
import { parseExposition } from "./support/observability.ts";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_database_outage_0123456789";
const EVENTS = Number(process.env.OUTAGE_EVENTS ?? 2000);
const CLIENTS = 16;
// How long the database stays down: a restart or a failover.
const OUTAGE_MS = 5000;

let postgres: CrashablePostgres;
beforeEach(async () => {
  postgres = await startCrashablePostgres();
});
afterEach(() => postgres.destroy());

it.each([1, 3])(
  "survives a PostgreSQL crash during a burst on %i node(s): 503s meanwhile, every acknowledged event delivered after",
  async (nodeCount) => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 5 }));
    const env = {
      HOOKLINE_API_KEY: KEY,
      HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      HOOKLINE_LOG_LEVEL: "info",
      HOOKLINE_RETRY_SCHEDULE: "1s,1s,1s,1s,1s,1s,1s,1s",
      // A claim whose commit was cut off by the crash is in flight in the database, unknown to
      // its node: it is attempted once its lease expires. 20 s, as multi-node.test.ts says why.
      HOOKLINE_DELIVERY_TIMEOUT: "5s",
      HOOKLINE_LEASE: "20s",
    };
    const args = ["--port", "0", "--database", postgres.url, "--allow-network", "127.0.0.0/8"];
    const nodes: Awaited<ReturnType<typeof spawnServe>>[] = [];
    // One at a time: the first migrates.
    for (let i = 0; i < nodeCount; i++) nodes.push(await spawnServe(args, env));
    const urls = nodes.map((n) => n.url);
    const status = (url: string, path: string) =>
      fetch(`${url}${path}`).then(
        (r) => r.status,
        () => 0,
      );
    const readyz = (code: number) =>
      waitFor(
        async () =>
          (await Promise.all(urls.map((u) => status(u, "/readyz")))).every((s) => s === code),
        10_000,
        `/readyz ${code} on every node`,
      );
    try {
      const endpoint = await fetch(`${urls[0]}/v1/webhook_endpoints`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ url: receiver.url, enabled_events: ["*"] }),
      });
      expect(endpoint.status).toBe(200);

      const burst = startBurst({ urls, apiKey: KEY, events: EVENTS, clients: CLIENTS });
      await waitFor(
        () => burst.check().accepted.size >= EVENTS / 4,
        60_000,
        "a quarter acknowledged",
      );
      const acceptedBefore = burst.accepted.size;
      const crashedAt = Date.now();
      await postgres.crash();

      const alive = () => {
        burst.check();
        const dead = nodes.find((n) => n.child.exitCode !== null);
        if (dead) throw new Error(`a node exited:\n${dead.output().slice(-2000)}`);
        return burst;
      };
      const firstRefusal = await waitFor(() => alive().refusals[0], 10_000, "a first 503");
      // Every node takes itself out of its load balancer while its process stays alive.
      await readyz(503);
      const unreadyMs = Date.now() - crashedAt;
      for (const url of urls) {
        expect(await status(url, "/healthz")).toBe(200);
        // /metrics answers without its database, and says so.
        const scrape = parseExposition(await (await fetch(`${url}/metrics`)).text());
        expect(scrape.get("hookline_store_up")).toBe(0);
      }
      await new Promise((resolve) => setTimeout(resolve, crashedAt + OUTAGE_MS - Date.now()));

      await postgres.restart();
      const backAt = Date.now();
      await readyz(200);
      const readyMs = Date.now() - backAt;
      const resumed = await waitFor(
        () => receiver.received.find((r) => r.at >= backAt),
        10_000,
        "deliveries to resume",
      );
      const resumedMs = resumed.at - backAt;
      await burst.done;

      await expectAllDelivered(burst, receiver.received, EVENTS);
      const deliveredMs = Date.now() - backAt;
      expectRefusals(burst, "database_unavailable", "2");
      for (const node of nodes) {
        expect(node.child.exitCode).toBeNull();
        const output = node.output();
        expect(output).not.toMatch(/Unhandled 'error' event/);
        // One line when the database went away and one when it came back, not one per call.
        expect(count(output, "store: the database cannot be reached")).toBe(1);
        expect(count(output, "store: the database is back")).toBe(1);
      }
      const slowest = Math.max(...burst.refusals.map((r) => r.ms));
      console.info(
        `${nodeCount} node(s), ${EVENTS} events, crash after ${acceptedBefore} acknowledged, down ${OUTAGE_MS} ms: first 503 ${firstRefusal.at - crashedAt} ms after the crash; ${burst.refusals.length} 503s (slowest ${slowest} ms), ${burst.dropped} requests without an answer; /readyz 503 on all nodes ${unreadyMs} ms after the crash, 200 ${readyMs} ms after the restart; deliveries resumed ${resumedMs} ms after it, all ${EVENTS} delivered ${deliveredMs} ms after it; 0 lost`,
      );
      for (const node of nodes) {
        node.child.kill("SIGTERM");
        expect((await exited(node.child)).code).toBe(0);
      }
    } finally {
      for (const node of nodes) node.child.kill("SIGKILL");
      await receiver.close();
    }
  },
  180_000,
);

const count = (text: string, what: string) => text.split(what).length - 1;
