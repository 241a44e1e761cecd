// SQLite's disk fills up during a burst of events, under a real `hookline serve`: the API answers
// 503 disk_full (not 500), /readyz 503, nothing acknowledged is lost, the file stays intact, and
// the refused events are accepted once space returns (issue 20). The disk is a small tmpfs, so
// the test needs root (as CI and the dev container run); without it, it says so and skips.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectAllDelivered, expectRefusals, startBurst } from "./support/burst.ts";
import { parseExposition } from "./support/observability.ts";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_disk_full_0123456789";
const EVENTS = 2000;
// About the issue's ~4 KB events.
const PADDING = 4000;
// Room left on the disk when the burst starts: a few hundred events' worth.
const ROOM = 1.5 * 1024 * 1024;

let disk: string;
let unmountable: string | undefined;
beforeAll(() => {
  disk = mkdtempSync(join(tmpdir(), "hookline-disk-"));
  if (process.getuid?.() !== 0) {
    unmountable = "needs root to mount a small tmpfs (CI and the dev container run as root)";
    return;
  }
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", disk], { stdio: "pipe" });
  } catch (error) {
    unmountable = `could not mount a tmpfs: ${String(error)}`;
  }
});
afterAll(() => {
  if (unmountable === undefined) execFileSync("umount", [disk]);
  rmSync(disk, { recursive: true, force: true });
});

it("answers 503 disk_full while SQLite's disk is full, loses nothing, and takes the refused events once space returns", async (ctx) => {
  if (unmountable !== undefined) {
    console.warn(`disk-full test skipped: ${unmountable}`);
    ctx.skip(unmountable);
  }
  const database = join(disk, "hookline.db");
  const receiver = await startReceiver();
  const node = await spawnServe(
    ["--port", "0", "--database", database, "--allow-network", "127.0.0.0/8"],
    {
      HOOKLINE_API_KEY: KEY,
      HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      HOOKLINE_LOG_LEVEL: "info",
    },
  );
  const status = (path: string) => fetch(`${node.url}${path}`).then((r) => r.status);
  const metrics = async () => parseExposition(await (await fetch(`${node.url}/metrics`)).text());
  try {
    const endpoint = await fetch(`${node.url}/v1/webhook_endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url, enabled_events: ["*"] }),
    });
    expect(endpoint.status).toBe(200);
    // Fill the disk but for ROOM bytes.
    const free = () => {
      const s = statfsSync(disk);
      return s.bavail * s.bsize;
    };
    const filler = join(disk, "filler");
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - ROOM)));

    const burst = startBurst({
      urls: [node.url],
      apiKey: KEY,
      events: EVENTS,
      clients: 8,
      padding: PADDING,
    });
    const firstRefusal = await waitFor(() => burst.check().refusals[0], 60_000, "a first 503");
    const fullAt = firstRefusal.at;
    const acceptedWhenFull = burst.accepted.size;
    await waitFor(async () => (await status("/readyz")) === 503, 10_000, "/readyz 503");
    const unreadyMs = Date.now() - fullAt;
    expect(await status("/healthz")).toBe(200);
    // /metrics still answers, and says why.
    const during = await metrics();
    expect(during.get("hookline_store_up")).toBe(0);
    expect(during.get('hookline_store_errors_total{kind="disk_full"}')).toBeGreaterThan(0);
    // Refusals for a few seconds (the dispatcher's writes meet the full disk too), then room.
    await waitFor(
      () => burst.check().refusals.length >= 50 && Date.now() - fullAt >= 3000,
      30_000,
      "3 s of refusals",
    );
    rmSync(filler);
    const roomAt = Date.now();
    await waitFor(async () => (await status("/readyz")) === 200, 10_000, "/readyz 200");
    const readyMs = Date.now() - roomAt;
    expect((await metrics()).get("hookline_store_up")).toBe(1);
    await burst.done;
    const doneMs = Date.now() - roomAt;

    await expectAllDelivered(burst, receiver.received, EVENTS);
    expectRefusals(burst, "disk_full", "30");
    expect(node.child.exitCode).toBeNull();
    expect(node.output()).not.toMatch(/internal_error|unhandled error/);
    expect(count(node.output(), "store: the database's disk is full")).toBe(1);
    expect(count(node.output(), "store: the database is back")).toBe(1);
    node.child.kill("SIGTERM");
    expect((await exited(node.child)).code).toBe(0);

    // Each refused event was accepted once when sent again with its key: no half-written one.
    const db = new Database(database, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const stored = db
        .prepare("SELECT count(*) AS n FROM events WHERE type = 'charge.succeeded'")
        .get() as { n: number };
      expect(stored.n).toBe(EVENTS);
    } finally {
      db.close();
    }
    console.info(
      `SQLite on a 24 MB tmpfs, ${EVENTS} events of ~4 KB: disk full after ${acceptedWhenFull} acknowledged, for ${roomAt - fullAt} ms; ${burst.refusals.length} 503 disk_full (slowest ${Math.max(...burst.refusals.map((r) => r.ms))} ms); /readyz 503 ${unreadyMs} ms after the first refusal, 200 ${readyMs} ms after space returned; the burst finished ${doneMs} ms after; integrity ok; 0 lost`,
    );
  } finally {
    node.child.kill("SIGKILL");
    await receiver.close();
  }
}, 120_000);

const count = (text: string, what: string) => text.split(what).length - 1;
