import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import PgBoss from "pg-boss";
import { Pool } from "undici";
import { generateSecret } from "../packages/webhooks/src/index.ts";
import { BOSS } from "./postgres-boss-config.ts";
import { createDatabase, type Job, QUEUE, spawnChild, waitForLine } from "./postgres-setup.ts";

const KEY = "hk_bench_root_key_0123456789";
/** Keep-alive sockets from the driver to each Hookline node: the 50 clients of issue 15. */
export const CLIENTS = 50;

/** A webhook sender under test, fed by the driver, delivering to the shared receiver. */
export interface System {
  /** Sends event `n`; resolves with the id the receiver will see. */
  send(n: number): Promise<string>;
  /** From now on, what is sent waits: the endpoint disabled, or the workers stopped. */
  hold(): Promise<void>;
  /**
   * Lets what waits go; resolves with the `performance.now()` at which it was let go and, for
   * Hookline, how many deliveries the recover call queued again.
   */
  release(): Promise<{ at: number; requeued?: number }>;
  stop(): Promise<void>;
}

const body = (id: string, n: number) =>
  JSON.stringify({
    id,
    object: "event",
    type: "charge.succeeded",
    data: { object: { n, amount: 2000, currency: "usd" } },
  });

/** The endpoint cache of a node lives 1 s: another node sees an endpoint's new state by then. */
const CACHE_MS = 1100;

/** `nodes` Hookline nodes on one fresh database, one endpoint to `receiverUrl`. */
export async function hooklineSystem(
  children: Set<ChildProcess>,
  serverUrl: string,
  nodes: number,
  receiverUrl: string,
  secrets: string[],
): Promise<System> {
  const url = await createDatabase(serverUrl, `bench_hookline_${nodes}`);
  const env = {
    HOOKLINE_API_KEY: KEY,
    HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HOOKLINE_LOG_LEVEL: "warn",
  };
  const args = ["serve", "--port", "0", "--database", url, "--allow-network", "127.0.0.0/8"];
  const started = await Promise.all(
    Array.from({ length: nodes }, () =>
      spawnChild(
        children,
        "packages/server/src/cli.ts",
        args,
        /Hookline is running at (http:\/\/\S+)/,
        env,
      ),
    ),
  );
  const pools = started.map(({ match }) => new Pool(match[1]!, { connections: CLIENTS }));
  const call = async (pool: Pool, path: string, payload: unknown) => {
    const response = await pool.request({
      method: "POST",
      path,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    if (response.statusCode !== 200)
      throw new Error(`${path}: ${response.statusCode} ${await response.body.text()}`);
    return (await response.body.json()) as { id: string; secret?: string; requeued?: number };
  };
  const admin = pools[0]!;
  const endpoint = await call(admin, "/v1/webhook_endpoints", {
    url: receiverUrl,
    enabled_events: ["*"],
  });
  secrets.push(endpoint.secret!);
  const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
  return {
    async send(n) {
      const event = await call(pools[n % pools.length]!, "/v1/events", {
        type: "charge.succeeded",
        data: { object: { n, amount: 2000, currency: "usd" } },
      });
      return event.id;
    },
    async hold() {
      await call(admin, `/v1/webhook_endpoints/${endpoint.id}`, { disabled: true });
      if (nodes > 1) await sleep(CACHE_MS);
    },
    async release() {
      await call(admin, `/v1/webhook_endpoints/${endpoint.id}`, { disabled: false });
      if (nodes > 1) await sleep(CACHE_MS);
      const at = performance.now();
      const { requeued } = await call(admin, `/v1/webhook_endpoints/${endpoint.id}/recover`, {
        since: 0,
      });
      return { at, requeued: requeued ?? 0 };
    },
    async stop() {
      await Promise.all(pools.map((p) => p.close()));
      for (const { child } of started) child.kill("SIGTERM");
    },
  };
}

/** The pg-boss baseline: a producer here, the worker process of bench/postgres-boss.ts. */
export async function bossSystem(
  children: Set<ChildProcess>,
  serverUrl: string,
  receiverUrl: string,
  secrets: string[],
): Promise<System> {
  const url = await createDatabase(serverUrl, "bench_pgboss");
  const secret = generateSecret();
  secrets.push(secret);
  const boss = new PgBoss({ connectionString: url, max: BOSS.poolMax });
  await boss.start();
  await boss.createQueue(QUEUE);
  const { child } = await spawnChild(
    children,
    "bench/postgres-boss.ts",
    [url, receiverUrl, secret],
    /ready/,
  );
  const signal = async (name: "SIGUSR1" | "SIGUSR2", answer: RegExp) => {
    const answered = waitForLine(child, answer);
    child.kill(name);
    await answered;
  };
  return {
    async send(n) {
      const id = `evt_boss_${n}_${randomBytes(4).toString("hex")}`;
      await boss.send(QUEUE, { id, body: body(id, n) } satisfies Job);
      return id;
    },
    hold: () => signal("SIGUSR1", /held/),
    async release() {
      const at = performance.now();
      await signal("SIGUSR2", /working/);
      return { at };
    },
    async stop() {
      child.kill("SIGTERM");
      await boss.stop({ graceful: false });
    },
  };
}
