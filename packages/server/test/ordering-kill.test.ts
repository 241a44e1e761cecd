// Generated runs of ordered delivery with real processes (docs/ordering.md): two `hookline serve`
// nodes on one PostgreSQL database, a per_key endpoint whose receiver fails, hangs or drops the
// connection as each run's plan says, events over many keys posted to both nodes, and one node
// killed with SIGKILL at a generated moment, then started again. For every key:
//
// - ONE AT A TIME: no two requests of one key are open at the receiver at once, measured from the
//   request's arrival to the moment its answer was sent or its connection closed.
// - IN ORDER: the receiver's successful receipts carry `Hookline-Sequence` numbers that never go
//   down (a number may repeat: an attempt answered 200 by the receiver but not recorded when its
//   node died is sent again), and every event of the key is received successfully in the end.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { expect, it } from "vitest";
import { freshDatabase } from "./support/postgres.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_ordering_kill_0123456789";
const ENV = {
  HOOKLINE_API_KEY: KEY,
  HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  HOOKLINE_LOG_LEVEL: "error",
  // A hang ends at the timeout; the killed node's leases expire 4 s later, so its keys move on
  // within the run instead of after a minute.
  HOOKLINE_DELIVERY_TIMEOUT: "1s",
  HOOKLINE_LEASE: "4s",
  // Five attempts: a plan fails at most two of them, a kill may cost one more.
  HOOKLINE_RETRY_SCHEDULE: "50ms,100ms,100ms,100ms",
};
const RUNS = Number(process.env.ORDERING_KILL_RUNS ?? 4);

type Failure = "500" | "hang" | "reset";
interface Plan {
  keys: number;
  perKey: number;
  /** For event i (creation order over all keys), how its first attempts fail. */
  failures: Failure[][];
  /** Kill after this share of the events was accepted. */
  killAfter: number;
  victim: 0 | 1;
  /** How long the victim stays dead before it starts again. */
  downMs: number;
}

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    keys: fc.integer({ min: 3, max: 12 }),
    perKey: fc.integer({ min: 3, max: 8 }),
    killAfter: fc.double({ min: 0.2, max: 1, noNaN: true }),
    victim: fc.constantFrom(0 as const, 1 as const),
    downMs: fc.integer({ min: 0, max: 1500 }),
  })
  .chain((shape) =>
    fc
      .array(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant([] as Failure[]) },
          {
            weight: 2,
            arbitrary: fc.array(fc.constantFrom<Failure>("500", "500", "hang", "reset"), {
              minLength: 1,
              maxLength: 2,
            }),
          },
        ),
        { minLength: shape.keys * shape.perKey, maxLength: shape.keys * shape.perKey },
      )
      .map((failures) => ({ ...shape, failures })),
  );

interface Request {
  key: string;
  n: number;
  start: number;
  end: number;
  ok: boolean;
}

/**
 * A loopback receiver that fails each event's first attempts as the plan says, and records when
 * each request arrived and when it ended (answered, or its connection closed: a timeout, a reset
 * or a killed sender).
 */
async function planReceiver(plan: Plan) {
  const requests: Request[] = [];
  const seen = new Map<string, number>();
  let overlaps = 0;
  const open = new Set<string>();
  const server = createServer((req, res) => {
    const header = String(req.headers["hookline-sequence"]);
    const colon = header.lastIndexOf(":");
    const request: Request = {
      key: decodeURIComponent(header.slice(0, colon)),
      n: Number(header.slice(colon + 1)),
      start: performance.now(),
      end: Number.POSITIVE_INFINITY,
      ok: false,
    };
    requests.push(request);
    if (open.has(request.key)) overlaps++;
    open.add(request.key);
    const done = () => {
      if (request.end !== Number.POSITIVE_INFINITY) return;
      request.end = performance.now();
      open.delete(request.key);
    };
    res.on("finish", done);
    res.on("close", done);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        data: { object: { i: number } };
      };
      const slot = `${request.key}:${request.n}`;
      const tries = seen.get(slot) ?? 0;
      seen.set(slot, tries + 1);
      const failure = plan.failures[body.data.object.i]?.[tries];
      if (failure === "hang") return;
      if (failure === "reset") {
        res.socket?.resetAndDestroy();
        return;
      }
      // 20 ms of work, so that keys overlap each other and a kill finds requests open.
      setTimeout(() => {
        if (res.destroyed) return;
        request.ok = failure === undefined;
        res.writeHead(failure === undefined ? 200 : 500).end();
      }, 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    requests,
    overlaps: () => overlaps,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function post(url: string, path: string, body: unknown, idempotencyKey?: string) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${KEY}`,
      "content-type": "application/json",
      ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey }),
    },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
  return response.json() as Promise<{ id: string }>;
}

type Node = Awaited<ReturnType<typeof spawnServe>>;

async function runPlan(plan: Plan) {
  const db = await freshDatabase();
  const receiver = await planReceiver(plan);
  const args = ["--port", "0", "--database", db.url, "--allow-network", "127.0.0.0/8"];
  const nodes: Node[] = [await spawnServe(args, ENV)];
  nodes.push(await spawnServe(args, ENV));
  let alive = [true, true];
  try {
    await post(nodes[0]!.url, "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
      ordering: "per_key",
    });
    const total = plan.keys * plan.perKey;
    const killAt = Math.floor(plan.killAfter * total);
    let accepted = 0;
    let killing: Promise<void> | undefined;
    const kill = async () => {
      const victim = nodes[plan.victim]!;
      alive = alive.map((up, i) => up && i !== plan.victim);
      victim.child.kill("SIGKILL");
      await exited(victim.child);
      await new Promise((resolve) => setTimeout(resolve, plan.downMs));
      nodes[plan.victim] = await spawnServe(args, ENV);
      alive = [true, true];
    };
    // Event i belongs to key i % keys; one client per key keeps each key's creation order the
    // order of i, and the clients run at once, over both nodes.
    await Promise.all(
      Array.from({ length: plan.keys }, async (_, k) => {
        for (let i = k; i < total; i += plan.keys) {
          const event = { type: "customer.updated", data: { object: { id: `cus_${k}`, i } } };
          // A post cut off by the kill may or may not have committed: the client sends it again
          // to a live node with the same Idempotency-Key before its key's next event, as an
          // application would.
          for (let tries = 0; ; tries++) {
            const node = alive[i % 2] ? nodes[i % 2]! : nodes[1 - (i % 2)]!;
            try {
              await post(node.url, "/v1/events", event, `evt-${i}`);
              break;
            } catch (error) {
              if (tries === 20) throw error;
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
          accepted++;
          if (killing === undefined && accepted >= killAt) killing = kill();
        }
      }),
    );
    if (killing === undefined) killing = kill();
    await killing;

    const received = (key: string) =>
      new Set(receiver.requests.filter((r) => r.ok && r.key === key).map((r) => r.n));
    const keys = Array.from({ length: plan.keys }, (_, k) => `cus_${k}`);
    await waitFor(
      () => keys.every((key) => received(key).size === plan.perKey),
      90_000,
      "every event received successfully",
    );
    expect(receiver.overlaps()).toBe(0);
    for (const key of keys) {
      const mine = receiver.requests.filter((r) => r.key === key);
      const byStart = [...mine].sort((a, b) => a.start - b.start);
      for (let j = 1; j < byStart.length; j++) {
        expect(byStart[j]!.start, `${key}: attempts overlap`).toBeGreaterThanOrEqual(
          byStart[j - 1]!.end,
        );
      }
      const oks = mine.filter((r) => r.ok).map((r) => r.n);
      expect(oks, `${key}: successful receipts out of creation order`).toEqual(
        [...oks].sort((a, b) => a - b),
      );
      expect([...received(key)].sort((a, b) => a - b)).toEqual(
        Array.from({ length: plan.perKey }, (_, j) => j + 1),
      );
    }
  } finally {
    for (const node of nodes) node.child.kill("SIGKILL");
    await Promise.all(nodes.map((node) => exited(node.child)));
    await receiver.close();
    await db.drop();
  }
}

it(
  "keeps every key's attempts one at a time and its receipts in creation order, through failures, hangs and kill -9 of one of two nodes",
  async () => {
    await fc.assert(fc.asyncProperty(planArb, runPlan), { numRuns: RUNS, endOnFailure: true });
  },
  RUNS * 60_000,
);
