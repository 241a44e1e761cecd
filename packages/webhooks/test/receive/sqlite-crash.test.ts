import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookHandler } from "../../src/index.ts";
import { createSqliteInbox } from "../../src/receive/inbox/sqlite.ts";
import { deliver, makeEvent, SECRET, waitFor } from "./support/events.ts";

// What the README's "What the 202 promises" says of a process crash, for both settings: an event
// answered 202 is in the file when the process is killed right after, with no chance to close,
// checkpoint or sync anything more, and runs once the inbox is opened again. (A power loss cannot
// be simulated here; that promise rests on the fdatasync before the 202, wal-sync.ts.)
const here = dirname(fileURLToPath(import.meta.url));
const EVENTS = 64;

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startReceiver(file: string, durability: string): Promise<string> {
  child = spawn(
    process.execPath,
    ["--import", "tsx", join(here, "support/ack-first-server.ts"), file, durability],
    { cwd: resolve(here, "../../../.."), stdio: ["ignore", "pipe", "inherit"] },
  );
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error("the receiver exited before listening");
  return `http://127.0.0.1:${(JSON.parse(first.value) as { port: number }).port}/webhooks`;
}

function killHard(process: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    process.once("exit", () => resolve());
    process.kill("SIGKILL");
  });
}

describe.each(["fsync", "process"])("ack-first on SQLite, durability %s", (durability) => {
  it("keeps every event it answered 202 when its process is killed with SIGKILL", async () => {
    dir = mkdtempSync(join(tmpdir(), "hookline-sqlite-crash-"));
    const file = join(dir, "inbox.db");
    const url = await startReceiver(file, durability);
    const events = Array.from({ length: EVENTS }, () => makeEvent("invoice.paid"));
    // Concurrent, as a sender's burst: the receipts commit in shared transactions.
    const answers = await Promise.all(events.map((event) => deliver(url, event)));
    expect(answers.map((a) => a.status)).toEqual(Array(EVENTS).fill(202));
    await killHard(child!);

    const ran = new Set<string>();
    const restarted = createWebhookHandler({
      secrets: SECRET,
      inbox: createSqliteInbox(file),
      mode: "ack-first",
      // The dead process's leases are over.
      now: () => Date.now() + 10 * 60_000,
      on: { "invoice.paid": (event) => void ran.add(event.id) },
    });
    try {
      while ((await restarted.runDue()) > 0);
      await waitFor(() => ran.size === EVENTS, "every acknowledged event to run");
      expect([...ran].sort()).toEqual(events.map((e) => e.id).sort());
    } finally {
      await restarted.drain();
      await restarted.close();
    }
  });
});
