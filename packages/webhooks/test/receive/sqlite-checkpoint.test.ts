import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { createSqliteInbox } from "../../src/receive/inbox/sqlite.ts";
import { waitFor } from "./support/events.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function claimMany(inbox: ReturnType<typeof createSqliteInbox>, count: number) {
  const now = Date.now();
  const payload = JSON.stringify({ padding: "x".repeat(900) });
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      inbox.claim(
        { id: `evt_ckpt_${i}`, type: "invoice.paid", payload },
        { now, leaseMs: 60_000, token: `tok_${i}`, durable: false },
      ),
    ),
  );
}

it("checkpoints the WAL into the database file off the event loop, below SQLite's own threshold", async () => {
  dir = mkdtempSync(join(tmpdir(), "hookline-ckpt-"));
  const file = join(dir, "inbox.db");
  const inbox = createSqliteInbox(file);
  const before = statSync(file).size;
  // About 300 pages: far below the 4,000 at which the inbox's own connection checkpoints, so
  // only the background checkpoint can have copied them into the database file.
  await claimMany(inbox, 1000);
  await waitFor(() => statSync(file).size > before + 100 * 4096, "a background checkpoint");
  const again = await inbox.claim(
    { id: "evt_ckpt_0", type: "invoice.paid", payload: "{}" },
    { now: Date.now(), leaseMs: 60_000, token: "tok_other", durable: false },
  );
  expect(again.status).toBe("in_progress");
  await inbox.close();
  // The worker closed its connection first: the inbox's was the last, which removes the WAL.
  expect(existsSync(`${file}-wal`)).toBe(false);
});

it("keeps every claim across a close and a reopen while checkpoints run", async () => {
  dir = mkdtempSync(join(tmpdir(), "hookline-ckpt-"));
  const file = join(dir, "inbox.db");
  const first = createSqliteInbox(file);
  await claimMany(first, 500);
  await first.close();
  const reopened = createSqliteInbox(file);
  const claims = await Promise.all(
    [0, 250, 499].map((i) =>
      reopened.claim(
        { id: `evt_ckpt_${i}`, type: "invoice.paid", payload: "{}" },
        { now: Date.now(), leaseMs: 60_000, token: "tok_reopened", durable: false },
      ),
    ),
  );
  expect(claims.map((claim) => claim.status)).toEqual([
    "in_progress",
    "in_progress",
    "in_progress",
  ]);
  await reopened.close();
});

it("finishes close() in a process that has nothing else to do", () => {
  dir = mkdtempSync(join(tmpdir(), "hookline-ckpt-"));
  const file = join(dir, "inbox.db");
  const here = dirname(fileURLToPath(import.meta.url));
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", join(here, "support/close-inbox.ts"), file],
    { cwd: resolve(here, "../../../.."), encoding: "utf8" },
  );
  expect(output).toBe("closed\n");
  expect(existsSync(`${file}-wal`)).toBe(false);
});
