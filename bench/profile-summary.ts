/**
 * Where a Hookline child spent its CPU, from the `.cpuprofile` files `--profile` wrote:
 *
 *   npx tsx bench/profile-summary.ts .tmp/profiles/one-endpoint [events]
 *
 * Prints self time by area (SQLite, Fastify, undici, signing, …), the functions with the most
 * self time, and busy time by Hookline stage (per event, when given how many events the profiled
 * process ingested, warm-up included). Only the main thread's profile matters; the other one is
 * the tsx loader's thread. Profiles of the server from source (`src/`, tsx) and built (`dist/`,
 * as bench/ingest-cpu.ts runs it) are read alike.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Areas, first match wins: a URL fragment or a function name pattern. */
const AREAS: [string, (n: Node) => boolean][] = [
  ["idle", (n) => n.callFrame.functionName === "(idle)"],
  ["garbage collection", (n) => n.callFrame.functionName === "(garbage collector)"],
  ["better-sqlite3 (SQLite)", (n) => n.callFrame.url.includes("better-sqlite3")],
  ["hookline store/sqlite", (n) => n.callFrame.url.includes("/store/sqlite/")],
  [
    "fastify + ajv + pino",
    (n) =>
      /node_modules\/(fastify|@fastify|ajv|fast-json|pino|find-my-way|avvio|light-my-request|fast-querystring|secure-json)/.test(
        n.callFrame.url,
      ),
  ],
  ["undici", (n) => n.callFrame.url.includes("node_modules/undici")],
  ["@hookline/webhooks (signing)", (n) => n.callFrame.url.includes("packages/webhooks/")],
  ["hookline dispatch", (n) => /\/(src|dist)\/dispatch\//.test(n.callFrame.url)],
  ["hookline api + ingest", (n) => /\/(src|dist)\/(api|ingest|domain)\//.test(n.callFrame.url)],
  ["tsx loader", (n) => n.callFrame.url.includes("node_modules/tsx")],
  ["node internals (http, net, streams, timers)", (n) => n.callFrame.url.startsWith("node:")],
  ["native / program", () => true],
];

/** Hookline's stages, recognised by a frame on the stack; the first match wins. */
const STAGES: [string, RegExp][] = [
  ["ingest: commit (commit-queue → createEvents)", /commit-queue\.[jt]s/],
  ["dispatch: record outcomes (recordResults)", /^flush .*dispatcher\.[jt]s/],
  ["ingest: route handler (ingestEvent: endpoints, ids, payload)", /create-event\.[jt]s/],
  [
    "ingest: HTTP server, Fastify, validation, auth",
    /fastify|find-my-way|avvio|pino|ajv|secure-json|_http_server|_http_incoming|_http_outgoing|\/(src|dist)\/api\//,
  ],
  ["dispatch: claim and next-due queries", /\/store\/sqlite\/|better-sqlite3/],
  [
    "dispatch: send (sign, undici, address guard)",
    /send\.[jt]s|undici|webhooks\/(src|dist)|address-guard/,
  ],
  ["dispatch: dispatcher (queues, decide)", /dispatcher\.[jt]s|decide\.[jt]s/],
];

function files(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(path, f));
}

const events = Number(process.argv[3] ?? 0);
for (const file of files(process.argv[2] ?? ".tmp/profiles")) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = (profile.endTime - profile.startTime) / 1000;
  const idle = [...self].reduce(
    (sum, [id, t]) => (byId.get(id)?.callFrame.functionName === "(idle)" ? sum + t : sum),
    0,
  );
  const busy = total - idle;
  console.log(
    `\n${file}: ${(total / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s busy`,
  );

  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, t] of self) {
    const node = byId.get(id)!;
    const area = AREAS.find(([, test]) => test(node))![0];
    areas.set(area, (areas.get(area) ?? 0) + t);
    const where = node.callFrame.url
      .replace(/^.*\/(node_modules|packages)\//, "")
      .replace(/^file:\/\//, "");
    const key = `${node.callFrame.functionName || "(anonymous)"} ${where}:${node.callFrame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + t);
  }
  const pct = (t: number) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
  console.log("\nself time by area (share of busy time):");
  for (const [area, t] of [...areas].sort((a, b) => b[1] - a[1])) {
    if (area !== "idle")
      console.log(`  ${pct(t)}  ${(t / 1000).toFixed(2).padStart(6)} s  ${area}`);
  }
  console.log("\ntop functions by self time:");
  for (const [key, t] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${pct(t)}  ${key}`);
  }

  // Each busy sample goes to the first stage whose frames appear anywhere on its stack, so an
  // SQLite call made by the claim counts as the claim, not as "SQLite".
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stages = new Map<string, number>();
  for (const [id, t] of self) {
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === "(idle)") continue;
    const frames: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byId.get(at)!.callFrame;
      frames.push(`${functionName} ${url}`);
    }
    const stage =
      leaf === "(garbage collector)"
        ? "garbage collection"
        : (STAGES.find(([, pattern]) => frames.some((f) => pattern.test(f)))?.[0] ?? "other");
    stages.set(stage, (stages.get(stage) ?? 0) + t);
  }
  const perEvent =
    events > 0
      ? (t: number) => `${((t / events) * 1000).toFixed(0).padStart(5)} µs/event`
      : () => "";
  console.log(`\nbusy time by stage${events > 0 ? `, per event over ${events} events` : ""}:`);
  for (const [stage, t] of [...stages].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${pct(t)}  ${perEvent(t)}  ${stage}`);
  }
}
