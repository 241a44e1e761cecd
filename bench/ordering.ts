// Ordered delivery per key (docs/ordering.md) next to the same run without ordering, in one
// process: `keys` objects × `perKey` events to one endpoint whose receiver fails `failRate` of
// first attempts (the same events in both runs), with a short retry schedule so the run ends in
// seconds. The dispatcher alone is measured: the events are written while the endpoint is
// disabled (straight into the store, as ingest would, since posting 20,000 events one by one
// takes longer than delivering them on a loaded machine), then the endpoint is enabled and
// recovered, and the clock runs from the recover call to the last successful receipt. Reports
// throughput, order violations and overlapping attempts of one key, and the p99 latency of keys
// that never failed (how much failing keys hold back the others).
//
//   npx tsx bench/ordering.ts [--keys 1000] [--per-key 20] [--fail 0.1] [--retry 1s]
//
// Hookline and the receiver share one process and event loop here: figures are ratios of two
// runs on the same machine, not absolute rates (docs/benchmarks.md has the recorded ones).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { loadConfig } from "../packages/server/src/config/load-config.ts";
import { IdPrefix, newId } from "../packages/server/src/ids.ts";
import { startServer } from "../packages/server/src/serve.ts";
import type { NewEventRows } from "../packages/server/src/store/types.ts";
import { distribution } from "./stats.ts";

const API_KEY = "hk_bench_root_key_0123456789";
const { values: flags } = parseArgs({
  options: {
    keys: { type: "string", default: "1000" },
    "per-key": { type: "string", default: "20" },
    fail: { type: "string", default: "0.1" },
    retry: { type: "string", default: "1s" },
  },
});
const KEYS = Number(flags.keys);
const PER_KEY = Number(flags["per-key"]);
const FAIL_RATE = Number(flags.fail);

/** Whether event n of key k fails its first attempt: a fixed draw, the same in both runs. */
function failsFirst(k: number, n: number): boolean {
  let h = Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 2 ** 32 < FAIL_RATE;
}

interface RunResult {
  ordering: string;
  wallMs: number;
  perSecond: number;
  violations: number;
  overlaps: number;
  cleanKeyP99Ms: number;
  failedFirst: number;
}

async function run(ordering: "none" | "per_key"): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-bench-ordering-"));
  const config = loadConfig(
    { port: "0", database: join(dir, "hookline.db"), allowNetwork: ["127.0.0.0/8"] },
    { HOOKLINE_API_KEY: API_KEY, HOOKLINE_RETRY_SCHEDULE: flags.retry },
  );
  const server = await startServer(config, { logger: false });
  const total = KEYS * PER_KEY;
  const receivedAt = new Map<string, number>();
  const tried = new Set<string>();
  const open = new Set<number>();
  const lastN = new Map<number, number>();
  let violations = 0;
  let overlaps = 0;
  let failedFirst = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        data: { object: { k: number; n: number } };
      };
      const { k, n } = event.data.object;
      const id = `${k}:${n}`;
      if (open.has(k)) overlaps++;
      open.add(k);
      const fail = !tried.has(id) && failsFirst(k, n);
      tried.add(id);
      // Answered on the next turn, so that attempts of one key could overlap if allowed to.
      setImmediate(() => {
        open.delete(k);
        if (fail) {
          failedFirst++;
          res.writeHead(500).end("no");
          return;
        }
        res.writeHead(200).end("ok");
        if (receivedAt.has(id)) return;
        receivedAt.set(id, performance.now());
        if ((lastN.get(k) ?? 0) > n) violations++;
        lastN.set(k, Math.max(lastN.get(k) ?? 0, n));
        if (receivedAt.size === total) done();
      });
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const api = new Pool(server.url, { connections: 2 });
  const call = async (path: string, body: unknown) => {
    const response = await api.request({
      method: "POST",
      path,
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text) as { id: string; requeued: number };
  };
  const endpoint = await call("/v1/webhook_endpoints", { url, enabled_events: ["*"], ordering });
  await call(`/v1/webhook_endpoints/${endpoint.id}`, { disabled: true });
  // Event n of every key before event n + 1 of any: the creation order per_key keeps.
  const created = Date.now();
  for (let first = 0; first < total; first += 500) {
    const items: NewEventRows[] = [];
    for (let i = first; i < Math.min(total, first + 500); i++) {
      const k = i % KEYS;
      const n = Math.floor(i / KEYS) + 1;
      const id = newId(IdPrefix.event, created);
      const key = `cus_${k}`;
      const payload = {
        id,
        object: "event",
        type: "customer.updated",
        data: { object: { id: key, k, n } },
      };
      items.push({
        event: {
          id,
          tenantId: "tn_default",
          type: "customer.updated",
          createdAt: created,
          payload: Buffer.from(JSON.stringify(payload)),
          idempotencyKey: null,
          orderingKey: key,
          traceParent: null,
          traceState: null,
        },
        deliveries: [
          {
            id: newId(IdPrefix.delivery, created),
            tenantId: "tn_default",
            eventId: id,
            endpointId: endpoint.id,
            status: "skipped",
            attemptCount: 0,
            nextAttemptAt: null,
            lastAttemptAt: null,
            lastStatusCode: null,
            lastError: null,
            leaseOwner: null,
            leaseUntil: null,
            orderingKey: ordering === "per_key" ? key : null,
            sequence: null,
            createdAt: created,
            updatedAt: created,
          },
        ],
      });
    }
    await server.store.createEvents(items);
  }
  await call(`/v1/webhook_endpoints/${endpoint.id}`, { disabled: false });
  const start = performance.now();
  const recovered = await call(`/v1/webhook_endpoints/${endpoint.id}/recover`, { since: 0 });
  if (recovered.requeued !== total) throw new Error(`recover requeued ${recovered.requeued}`);
  await finished;
  const wallMs = performance.now() - start;
  const failingKeys = new Set<number>();
  for (let k = 0; k < KEYS; k++) {
    for (let n = 1; n <= PER_KEY; n++) if (failsFirst(k, n)) failingKeys.add(k);
  }
  const clean: number[] = [];
  for (const [id, at] of receivedAt) {
    const k = Number(id.split(":")[0]);
    if (!failingKeys.has(k)) clean.push(at - start);
  }
  await api.close();
  await server.close(1000);
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  return {
    ordering,
    wallMs,
    perSecond: total / (wallMs / 1000),
    violations,
    overlaps,
    cleanKeyP99Ms: clean.length === 0 ? Number.NaN : distribution(clean).p99,
    failedFirst,
  };
}

const none = await run("none");
const ordered = await run("per_key");
console.log(
  `${KEYS} keys × ${PER_KEY} events, ${FAIL_RATE * 100}% of first attempts failing, retry ${flags.retry}`,
);
for (const r of [none, ordered]) {
  console.log(
    `${r.ordering.padEnd(8)} ${Math.round(r.wallMs)} ms, ${Math.round(r.perSecond)}/s, ` +
      `${r.failedFirst} failed first attempts, ${r.violations} order violations, ` +
      `${r.overlaps} overlapping attempts of a key, p99 of never-failing keys ${Math.round(r.cleanKeyP99Ms)} ms`,
  );
}
console.log(
  `per_key / none: throughput ${(ordered.perSecond / none.perSecond).toFixed(2)}×, ` +
    `never-failing keys' p99 ${(ordered.cleanKeyP99Ms / none.cleanKeyP99Ms).toFixed(2)}×`,
);
process.exit(0);
