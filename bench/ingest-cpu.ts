/**
 * CPU of the server per accepted event on `POST /v1/events`, one event per request, to a tenant
 * with one endpoint that no event type matches (so no delivery is sent: the API alone):
 *
 *   npx tsx bench/ingest-cpu.ts [--events 20000] [--rounds 2] [--batch 500] [--profile dir] [cli.js …]
 *
 * Each built `cli.js` given (default: this checkout's packages/server/dist/cli.js) is started on
 * a fresh SQLite file, warmed up, then sent `--events` events by 16 keep-alive clients; its CPU
 * (user + system, from /proc) over the run, divided by the events, is the figure. Builds run in
 * turn, `--rounds` times, so two builds are measured in the same run under the same load: copy
 * one build aside (`cp -r packages/server/dist .tmp/dist-before`) to compare it with the next.
 * With `--batch n`, each build is also measured sending the same events through
 * `POST /v1/events/batch`, n per request (4 clients), for the ratio of the two paths.
 * `floor:node`, `floor:fastify`, `floor:node+fsync` or `floor:fastify+fsync` in place of a
 * build runs bench/ingest-floor.mjs, the least a durable JSON ingest does, under the same load:
 * what this machine allows, to read Hookline's figures against.
 * Figures on a shared machine are noisy: compare ratios within one run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { closedLoop } from "./load.ts";

const KEY = "hk_bench_root_key_0123456789";
const { values, positionals } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    rounds: { type: "string", default: "2" },
    batch: { type: "string" },
    profile: { type: "string" },
  },
  allowPositionals: true,
});
const clis = positionals.length > 0 ? positionals : ["packages/server/dist/cli.js"];
const EVENTS = Number(values.events);
const TICK_US = 1e6 / 100; // USER_HZ on Linux

function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of stat; 12 and 13 after the ") " split.
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

async function measure(
  cli: string,
  profileDir: string | undefined,
  batch: number | undefined,
): Promise<{ cpu: number; rate: number }> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-ingest-cpu-"));
  const floor = /^floor:(node|fastify)(\+fsync)?$/.exec(cli);
  const script = floor ? fileURLToPath(new URL("./ingest-floor.mjs", import.meta.url)) : cli;
  const child = spawn(
    process.execPath,
    [
      ...(profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]),
      resolve(script),
      "serve",
      "--port",
      "0",
      "--database",
      join(dir, "bench.db"),
    ],
    {
      env: {
        ...process.env,
        HOOKLINE_API_KEY: KEY,
        HOOKLINE_LOG_LEVEL: "warn",
        ...(floor ? { INGEST_FLOOR_HTTP: floor[1], INGEST_FLOOR_FSYNC: floor[2] ? "1" : "0" } : {}),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((ok) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Hookline is running at (http:\/\/\S+)/.exec(out);
      if (match) ok(match[1]!);
    });
  });
  const api = new Pool(url, { connections: 16 });
  const post = async (path: string, body: unknown) => {
    const response = await api.request({
      method: "POST",
      path,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode}`);
    await response.body.dump();
  };
  await post("/v1/webhook_endpoints", {
    url: "https://example.com/hooks",
    enabled_events: ["nothing.sent"],
  });
  const event = (i: number) => ({
    type: "invoice.paid",
    data: { object: { id: `in_${i}`, object: "invoice", amount_paid: 2000, currency: "usd" } },
  });
  await closedLoop(2000, 16, (i) => post("/v1/events", event(i)));
  const before = cpuMicros(child.pid!);
  const started = performance.now();
  if (batch === undefined) await closedLoop(EVENTS, 16, (i) => post("/v1/events", event(i)));
  else {
    await closedLoop(Math.ceil(EVENTS / batch), 4, (b) =>
      post("/v1/events/batch", {
        events: Array.from({ length: batch }, (_, i) => event(b * batch + i)),
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const perEvent = (cpuMicros(child.pid!) - before) / EVENTS;
  await api.close();
  child.kill("SIGTERM");
  await new Promise((ok) => child.once("exit", ok));
  rmSync(dir, { recursive: true, force: true });
  const path = batch === undefined ? "one per request" : `batches of ${batch}`;
  const rate = EVENTS / seconds;
  console.info(
    `${cli} (${path}): ${perEvent.toFixed(0)} µs CPU per event, ${Math.round(rate)} events/s`,
  );
  return { cpu: perEvent, rate };
}

const batch = values.batch === undefined ? undefined : Number(values.batch);
const runs = clis.flatMap((cli) => [
  { cli, batch: undefined, name: `${cli} (one per request)` },
  ...(batch === undefined ? [] : [{ cli, batch, name: `${cli} (batches of ${batch})` }]),
]);
const results = new Map<string, { cpu: number; rate: number }[]>(runs.map((run) => [run.name, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const run of runs) {
    results.get(run.name)!.push(await measure(run.cli, values.profile, run.batch));
  }
}
// Best of the rounds: on a shared machine a round is only ever slowed by other work.
const bestCpu = (name: string) => Math.min(...results.get(name)!.map((r) => r.cpu));
const bestRate = (name: string) => Math.max(...results.get(name)!.map((r) => r.rate));
const first = runs[0]!.name;
for (const { name } of runs) {
  const ratio =
    name === first
      ? ""
      : ` (${(bestCpu(name) / bestCpu(first)).toFixed(2)}x the CPU and ${(bestRate(name) / bestRate(first)).toFixed(2)}x the events/s of ${first})`;
  console.info(
    `${name}: best ${bestCpu(name).toFixed(0)} µs/event, ${Math.round(bestRate(name))} events/s${ratio}`,
  );
}
