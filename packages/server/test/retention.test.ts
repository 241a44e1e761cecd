import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import { createRetention } from "../src/maintenance/retention.ts";
import { startServer } from "../src/serve.ts";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import type { Store } from "../src/store/types.ts";
import { startReceiver } from "./support/receiver.ts";
import { countRows, seedEvents } from "./support/seed-events.ts";
import { API_KEY, startTestServer, waitFor } from "./support/server.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh store on a fresh file, and a second connection to read the file directly. */
function freshStore() {
  const dir = mkdtempSync(join(tmpdir(), "hookline-retention-"));
  const path = join(dir, "hookline.db");
  const store = createSqliteStore(path, { durability: "process" });
  const raw = new Database(path);
  raw.pragma("busy_timeout = 5000");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  cleanups.push(() => raw.close());
  return { path, store, raw };
}

describe("retention", () => {
  it("prunes old finished events with their deliveries, attempts and keys; keeps newer ones and old ones with work to do", async () => {
    const { store, raw } = freshStore();
    const now = Date.UTC(2025, 5, 1);
    const old = now - 31 * DAY;
    const seed = (
      at: number,
      count: number,
      statuses: Parameters<typeof seedEvents>[2]["statuses"],
    ) => seedEvents(store, raw, { at, count, statuses });
    // Kept ones between pruned ones, so batches of 2 walk past them.
    const finished = await seed(old, 2, ["succeeded", "failed"]);
    const waiting = await seed(old, 1, ["succeeded", "pending"]);
    const skipped = await seed(old, 1, ["cancelled", "skipped"]);
    const sending = await seed(old, 1, ["in_flight"]);
    finished.push(...(await seed(old, 1, ["succeeded", "failed"])));
    const recent = await seed(now - 29 * DAY, 2, ["succeeded"]);
    const endpointKey = raw.prepare(
      "INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, resource_id, created_at) VALUES ('tn_default', ?, 'webhook_endpoints.create', 'h', 'we_x', ?)",
    );
    endpointKey.run("old", old);
    endpointKey.run("recent", now - DAY);

    const retention = createRetention({
      store,
      retentionMs: 30 * DAY,
      clock: () => now,
      log: silent,
      batchSize: 2,
    });
    const totals = await retention.runOnce();

    expect(totals).toMatchObject({ events: 4, deliveries: 8, attempts: 12, idempotencyKeys: 5 });
    expect(totals.batches).toBeGreaterThan(3);
    expect(countRows(raw)).toEqual({ events: 4, deliveries: 5, attempts: 8, idempotencyKeys: 5 });
    for (const gone of [...finished, ...skipped]) {
      expect(await store.getEvent("tn_default", gone.id)).toBeUndefined();
      expect(await store.getDelivery("tn_default", gone.deliveries[0]!)).toBeUndefined();
      expect(await store.listAttempts(gone.deliveries[0]!)).toEqual([]);
    }
    for (const kept of [...waiting, ...sending, ...recent]) {
      expect(await store.getEvent("tn_default", kept.id)).toBeDefined();
      expect(await store.listAttempts(kept.deliveries[0]!)).toHaveLength(2);
    }
    expect(raw.prepare("SELECT key FROM idempotency_keys WHERE key = 'old'").get()).toBeUndefined();

    // Once its last delivery is finished, the next pass takes it.
    raw
      .prepare("UPDATE deliveries SET status = 'succeeded' WHERE id = ?")
      .run(waiting[0]!.deliveries[1]);
    expect(await retention.runOnce()).toMatchObject({ events: 1, deliveries: 2, attempts: 2 });
    expect(await store.getEvent("tn_default", waiting[0]!.id)).toBeUndefined();
  });

  it("prunes in many short batches while events keep being delivered", async () => {
    const server = await startTestServer();
    const receiver = await startReceiver();
    cleanups.push(() => server.stop());
    cleanups.push(() => receiver.close());
    const raw = new Database(server.config.database);
    cleanups.push(() => raw.close());
    await server.api("POST", "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] });
    await seedEvents(server.store, raw, {
      at: Date.now() - 31 * DAY,
      count: 10_000,
      statuses: ["succeeded"],
    });

    // How many deliveries the receiver had when each batch started.
    const receivedAtBatch: number[] = [];
    const watched: Store = {
      ...server.store,
      pruneBefore(cutoff, options) {
        receivedAtBatch.push(receiver.received.length);
        return server.store.pruneBefore(cutoff, options);
      },
    };
    const retention = createRetention({
      store: watched,
      retentionMs: 30 * DAY,
      clock: Date.now,
      log: silent,
      batchSize: 50,
    });
    const pass = retention.runOnce();
    const live: string[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await server.api("POST", "/v1/events", {
        type: "order.paid",
        data: { object: { id: `ord_${i}` } },
      });
      expect(created.status).toBe(200);
      live.push(created.body.id);
    }
    await waitFor(() => receiver.received.length >= 10, 10_000, "the live events to arrive");
    const totals = await pass;

    expect(totals.events).toBe(10_000);
    expect(totals.batches).toBeGreaterThanOrEqual(200);
    // Deliveries completed between batches: a pass that held the event loop would see none.
    expect(receivedAtBatch.at(-1)).toBeGreaterThan(receivedAtBatch[0]!);
    for (const id of live) expect(await server.store.getEvent("tn_default", id)).toBeDefined();
    expect(countRows(raw).events).toBe(10);
  });

  it("runs when the server starts, on the server's clock, and stops with it", async () => {
    const { path, store, raw } = freshStore();
    await seedEvents(store, raw, { at: Date.now() - DAY, count: 20, statuses: ["succeeded"] });
    const config = loadConfig(
      { port: "0", database: path, retention: "1d" },
      { HOOKLINE_API_KEY: API_KEY },
    );
    // Two days later by the server's clock: what was a day old is now past the window.
    const server = await startServer(config, { logger: false, clock: () => Date.now() + 2 * DAY });
    await waitFor(() => countRows(raw).events === 0, 10_000, "the startup pass");
    await server.close(2000);
  });

  it("stops between batches", async () => {
    const { store, raw } = freshStore();
    await seedEvents(store, raw, { at: 0, count: 50, statuses: ["succeeded"] });
    let calls = 0;
    let stopped: Promise<void> | undefined;
    const retention = createRetention({
      store: {
        ...store,
        pruneBefore(cutoff, options) {
          if (++calls === 2) stopped = retention.stop();
          return store.pruneBefore(cutoff, options);
        },
      },
      retentionMs: HOUR,
      clock: () => DAY,
      log: silent,
      batchSize: 10,
    });
    const totals = await retention.runOnce();
    await stopped;
    expect(totals).toMatchObject({ batches: 2, events: 20 });
    expect(countRows(raw).events).toBe(30);
  });

  it("keeps the SQLite file from growing under a steady load", async () => {
    const { store, raw } = freshStore();
    let now = Date.UTC(2025, 0, 1);
    // A one-hour window (the setting's minimum; the function takes any), ten windows long.
    const retention = createRetention({ store, retentionMs: HOUR, clock: () => now, log: silent });
    const finish = raw.prepare(
      "UPDATE deliveries SET status = 'succeeded', updated_at = ? WHERE status = 'pending'",
    );
    const pages = () => raw.pragma("page_count", { simple: true }) as number;
    const pagesAfterWindow: number[] = [];
    for (let minute = 1; minute <= 10 * 60; minute++) {
      now += MINUTE;
      // The previous minute's deliveries are done; this minute's are pending.
      finish.run(now);
      await seedEvents(store, raw, {
        at: now,
        count: 20,
        statuses: ["pending", "pending"],
        payloadBytes: 1000,
      });
      await retention.runOnce();
      if (minute % 60 === 0) pagesAfterWindow.push(pages());
    }
    const [fifth, tenth] = [pagesAfterWindow[4]!, pagesAfterWindow[9]!];
    console.log(`retention: pages after each 1h window: ${pagesAfterWindow.join(", ")}`);
    // Without pruning the tenth window's file is twice the fifth's; with it, freed pages are reused.
    expect(Math.abs(tenth - fifth) / fifth).toBeLessThan(0.1);
    expect(countRows(raw).events).toBeLessThanOrEqual(61 * 20);
  });
});

describe("the retention setting", () => {
  it("defaults to 30 days and reads --retention, then HOOKLINE_RETENTION", () => {
    expect(loadConfig({}, {}).retentionMs).toBe(30 * DAY);
    expect(loadConfig({}, { HOOKLINE_RETENTION: "7d" }).retentionMs).toBe(7 * DAY);
    expect(loadConfig({ retention: "1h" }, { HOOKLINE_RETENTION: "7d" }).retentionMs).toBe(HOUR);
  });

  it.each(["30m", "59m", "0", "soon", "-1d", "30"])("refuses %j, naming the setting", (value) => {
    expect(() => loadConfig({ retention: value }, {})).toThrow(
      /--retention \/ HOOKLINE_RETENTION: expected a duration of at least 1h, such as 30d/,
    );
    expect(() => loadConfig({}, { HOOKLINE_RETENTION: value })).toThrow(/HOOKLINE_RETENTION/);
  });
});
