import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { createSqliteInbox } from "../../src/receive/inbox/sqlite.ts";

const here = dirname(fileURLToPath(import.meta.url));
const PROCESSES = 3;
const EVENTS = 900;

const children: ChildProcess[] = [];
let dir: string | undefined;
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The next line a child prints. */
function nextLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

it("gives each event to one process when several claim it in one SQLite file at once", async () => {
  dir = mkdtempSync(join(tmpdir(), "hookline-sqlite-procs-"));
  const file = join(dir, "inbox.db");
  await createSqliteInbox(file).close(); // the schema exists before the race starts

  for (let i = 0; i < PROCESSES; i++) {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(here, "support/claim-worker.ts"),
        file,
        String(EVENTS),
        String((i * EVENTS) / PROCESSES),
      ],
      { cwd: resolve(here, "../../../.."), stdio: ["pipe", "pipe", "inherit"] },
    );
    children.push(child);
  }
  expect(await Promise.all(children.map(nextLine))).toEqual(Array(PROCESSES).fill("ready"));
  const started = children.map(nextLine);
  for (const child of children) child.stdin!.write("go\n");
  // Every process holds the file open and has made its first claim: now they race.
  expect(await Promise.all(started)).toEqual(Array(PROCESSES).fill("started"));
  const results = children.map(nextLine);
  for (const child of children) child.stdin!.write("race\n");
  const statuses = (await Promise.all(results)).map((line) => JSON.parse(line) as string[]);

  for (let i = 0; i < EVENTS; i++) {
    const forEvent = statuses.map((list) => list[i]);
    expect(
      forEvent.filter((s) => s === "new"),
      `evt_${i}`,
    ).toHaveLength(1);
    expect(
      forEvent.filter((s) => s === "in_progress"),
      `evt_${i}`,
    ).toHaveLength(PROCESSES - 1);
  }
  // Each won the claim it made before the race, at its own offset.
  statuses.forEach((list, i) => {
    expect(list[(i * EVENTS) / PROCESSES], `process ${i}`).toBe("new");
  });
});
