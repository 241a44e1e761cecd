/**
 * CPU per event of the SQLite inbox alone, without HTTP: 32 concurrent claimers, each claiming a
 * new event then completing it, as ack-first does. Per round: the process's CPU (every thread),
 * the main thread's alone (what an HTTP server's event loop would pay), each other busy thread's
 * (libuv's fsyncs, the checkpoint worker, V8's helpers), and the write syscalls (WAL frames,
 * checkpoint copies). Linux only (/proc). A side tool like cpu.ts, not part of `npm run bench`.
 *
 *   npx tsx packages/webhooks/bench/handler/inbox-cpu.ts [--rounds n] [--events n]
 *     [--durability fsync|process]
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createSqliteInbox } from "../../src/receive/inbox/sqlite.ts";
import { median } from "../median.ts";
import { smallEvent } from "./events.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1]!;
};
const rounds = Number(option("--rounds", "5"));
const events = Number(option("--events", "20000"));
const durability = option("--durability", "fsync") as "fsync" | "process";

const dir = mkdtempSync(join(os.tmpdir(), "hookline-inbox-cpu-"));
const inbox = createSqliteInbox(join(dir, "inbox.db"), { durability });

// One body with a fresh random id each: building every body as events.ts does would cost more
// CPU than the inbox, in the same process.
const template = smallEvent();
const templateId = (JSON.parse(template) as { id: string }).id;

function newEvents(count: number) {
  return Array.from({ length: count }, () => {
    const id = `evt_${randomBytes(18).toString("base64url")}`;
    return { id, type: "payment_intent.succeeded", payload: template.replace(templateId, id) };
  });
}

/** CPU ms so far of each thread of this process, by thread id. */
function threadCpuMs(): Map<string, number> {
  const cpu = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
      cpu.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return cpu;
}

/** Bytes and calls of write syscalls so far. */
function writes(): { bytes: number; calls: number } {
  const io = readFileSync("/proc/self/io", "utf8");
  const field = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(io)![1]);
  return { bytes: field("wchar"), calls: field("syscw") };
}

async function claimAndComplete(list: ReturnType<typeof newEvents>) {
  let next = 0;
  const claimer = async () => {
    for (let event = list[next++]; event !== undefined; event = list[next++]) {
      const token = randomUUID();
      const now = Date.now();
      await inbox.claim(event, { now, leaseMs: 30_000, token });
      await inbox.complete(event.id, token, { now });
    }
  };
  await Promise.all(Array.from({ length: 32 }, claimer));
}

const perEvent = (ms: number) => (ms * 1000) / events;
const main = String(process.pid);
try {
  await claimAndComplete(newEvents(events / 2));
  const total: number[] = [];
  const mainThread: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const list = newEvents(events);
    const cpuBefore = threadCpuMs();
    const writesBefore = writes();
    await claimAndComplete(list);
    // Checkpoints and syncs that lag the last completion belong to the round.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const used = [...threadCpuMs()].map(([tid, ms]) => ({
      tid,
      us: perEvent(ms - (cpuBefore.get(tid) ?? 0)),
    }));
    const written = writes();
    const sum = used.reduce((all, t) => all + t.us, 0);
    const ours = used.find((t) => t.tid === main)?.us ?? 0;
    const others = used
      .filter((t) => t.tid !== main && t.us > 0)
      .map((t) => t.us.toFixed(1))
      .join(" ");
    total.push(sum);
    mainThread.push(ours);
    console.log(
      `round ${round + 1}: ${sum.toFixed(1)} µs/event, main thread ${ours.toFixed(1)}, others [${others}]; ` +
        `writes ${((written.bytes - writesBefore.bytes) / 1024 / events).toFixed(1)} KB ` +
        `in ${((written.calls - writesBefore.calls) / events).toFixed(1)} calls an event`,
    );
  }
  console.log(
    `median ${median(total).toFixed(1)} µs/event, main thread ${median(mainThread).toFixed(1)}`,
  );
} finally {
  await inbox.close();
  rmSync(dir, { recursive: true, force: true });
}
