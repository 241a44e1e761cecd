// The server's WAL checkpoints run on a worker thread (store/sqlite/wal-checkpointer.ts): pages
// written by the server's connection reach the database file without that connection
// checkpointing, and closing leaves no WAL behind.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openSqlite } from "../src/store/sqlite/open.ts";
import { startWalCheckpointer } from "../src/store/sqlite/wal-checkpointer.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hookline-checkpoint-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** About 1 MB in 256 rows: well under SQLite's own threshold of 1,000 pages (4 MB). */
function writeAMegabyte(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, body BLOB)");
  const insert = db.prepare("INSERT INTO blobs (body) VALUES (?)");
  for (let i = 0; i < 256; i++) insert.run(Buffer.alloc(4000, i));
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

it("copies committed pages into the database file from its own thread", async () => {
  const file = join(dir, "hookline.db");
  const db = openSqlite(file, { durability: "process" });
  const checkpointer = startWalCheckpointer(db);
  // The server's connection only checkpoints past the backstop.
  expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(4000);
  writeAMegabyte(db);
  expect(await waitFor(() => statSync(file).size >= 1_000_000, 3000)).toBe(true);
  await checkpointer.close();
  db.close();
  expect(existsSync(`${file}-wal`)).toBe(false);
});

it("without it, the same writes stay in the WAL (what the test above would see if it did nothing)", async () => {
  const file = join(dir, "hookline.db");
  const db = openSqlite(file, { durability: "process" });
  writeAMegabyte(db);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(statSync(file).size).toBeLessThan(100_000);
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000);
  db.close();
});
