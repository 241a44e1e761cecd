// Accepted means synced: an event's deliveries may start as soon as it is committed, but the
// API is told only once the commit is on disk (store.syncCommits). Real SQLite files throughout.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createCommitQueue } from "../src/ingest/commit-queue.ts";
import { type DeliveryHandoff, ingestEvent } from "../src/ingest/create-event.ts";
import { createEndpointCache } from "../src/ingest/endpoint-cache.ts";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { walSync } from "../src/store/sqlite/wal-sync.ts";
import type { ClaimedDelivery, Store } from "../src/store/types.ts";
import { endpointRow, TENANT } from "./support/store-rows.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hookline-durability-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store whose syncs wait until the test lets them finish, or fail. */
function gatedSyncs(store: Store) {
  const gates: { release: () => void; fail: (e: Error) => void }[] = [];
  const gated: Store = Object.create(store);
  gated.syncCommits = () =>
    store.syncCommits().then(
      () =>
        new Promise<void>((release, fail) => {
          gates.push({ release, fail });
        }),
    );
  return { store: gated, gates };
}

function handoff(adopted: ClaimedDelivery[]): DeliveryHandoff {
  return {
    owner: "node-test",
    leaseMs: 60_000,
    hasRoom: () => true,
    adopt: (deliveries) => adopted.push(...deliveries),
    wake: () => undefined,
    resetEndpoint: () => undefined,
  };
}

const input = {
  tenantId: TENANT,
  type: "charge.succeeded",
  data: { object: { id: "ch_1" } },
  requestId: "req_1",
  idempotencyKey: undefined,
};

it("hands an event's deliveries over at commit, and answers only once the commit is synced", async () => {
  const sqlite = createSqliteStore(join(dir, "hookline.db"), { durability: "fsync" });
  try {
    const endpoint = endpointRow(Date.now());
    await sqlite.createEndpoint(endpoint);
    const { store, gates } = gatedSyncs(sqlite);
    const adopted: ClaimedDelivery[] = [];
    const deps = {
      store,
      commits: createCommitQueue(store),
      endpoints: createEndpointCache(store),
      handoff: handoff(adopted),
    };
    let answered = false;
    const ingest = ingestEvent(deps, input, Date.now()).then((r) => {
      answered = true;
      return r;
    });
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // Committed and handed to the dispatcher, not yet acknowledged.
    expect(adopted.map((d) => d.endpointId)).toEqual([endpoint.id]);
    expect(await sqlite.getEvent(TENANT, adopted[0]!.eventId)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    gates[0]!.release();
    expect(await ingest).toMatchObject({ kind: "created", event: { id: adopted[0]!.eventId } });
  } finally {
    await sqlite.close();
  }
});

it("fails the request when the sync fails, so nothing unsynced is acknowledged", async () => {
  const sqlite = createSqliteStore(join(dir, "hookline.db"), { durability: "fsync" });
  try {
    await sqlite.createEndpoint(endpointRow(Date.now()));
    const { store, gates } = gatedSyncs(sqlite);
    const commits = createCommitQueue(store);
    const deps = { store, commits, endpoints: createEndpointCache(store), handoff: handoff([]) };
    const ingest = ingestEvent(deps, input, Date.now());
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates[0]!.fail(new Error("EIO: the disk is gone"));
    await expect(ingest).rejects.toThrow("EIO");
  } finally {
    await sqlite.close();
  }
});

it("shares one sync among callers that arrive while one runs, and starts it after theirs", async () => {
  const sqlite = createSqliteStore(join(dir, "hookline.db"), { durability: "process" });
  const wal = walSync(join(dir, "hookline.db-wal"));
  try {
    const first = wal.sync();
    const later = [wal.sync(), wal.sync(), wal.sync()];
    expect(new Set(later).size).toBe(1);
    expect(later[0]).not.toBe(first);
    await Promise.all([first, ...later]);
    // Once both finished, the next call starts a sync of its own.
    const next = wal.sync();
    expect(next).not.toBe(later[0]);
    await next;
  } finally {
    await wal.close();
    await sqlite.close();
  }
});

it("rejects a sync of a WAL file it cannot open, and syncs once it can", async () => {
  const wal = walSync(join(dir, "hookline.db-wal"));
  try {
    await expect(wal.sync()).rejects.toThrow("ENOENT");
    // The store's migration writes, which creates the WAL file.
    const sqlite = createSqliteStore(join(dir, "hookline.db"), { durability: "process" });
    await expect(wal.sync()).resolves.toBeUndefined();
    await sqlite.close();
  } finally {
    await wal.close();
  }
});
