import { createServer, type Socket } from "node:net";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createAvailability, type StoreState } from "../src/store/availability.ts";
import { StoreUnavailableError } from "../src/store/errors.ts";
import { classifyStoreError } from "../src/store/failure.ts";
import { guardStore } from "../src/store/guard.ts";
import { dueListener } from "../src/store/postgres/listen.ts";
import { createPool, DUE_CHANNEL, transaction } from "../src/store/postgres/pool.ts";
import { reconnectDelay } from "../src/store/postgres/reconnect-delay.ts";
import { freshDatabase } from "./support/postgres.ts";
import { waitFor } from "./support/server.ts";

const pgError = (code: string) => Object.assign(new Error("from the server"), { code });

describe("classifyStoreError", () => {
  it.each([
    [
      "SQLite's full disk",
      Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }),
      "disk_full",
    ],
    ["PostgreSQL's full disk (53100)", pgError("53100"), "disk_full"],
    [
      "a WAL sync out of space",
      Object.assign(new Error("no space"), { code: "ENOSPC" }),
      "disk_full",
    ],
    [
      "SQLite busy past its timeout",
      Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }),
      "database_unavailable",
    ],
    ["an immediate shutdown (57P01)", pgError("57P01"), "database_unavailable"],
    ["a server starting up (57P03)", pgError("57P03"), "database_unavailable"],
    ["a connection exception (08006)", pgError("08006"), "database_unavailable"],
    ["a write on a standby (25006)", pgError("25006"), "database_unavailable"],
    ["a lost connection", new Error("Connection terminated unexpectedly"), "database_unavailable"],
    [
      "a pool that could not connect in time",
      new Error("timeout exceeded when trying to connect"),
      "database_unavailable",
    ],
    [
      "a refused connect to several addresses",
      new AggregateError([Object.assign(new Error("refused"), { code: "ECONNREFUSED" })]),
      "database_unavailable",
    ],
    [
      "a refusal further down the cause chain",
      new Error("wrapped", { cause: pgError("57P02") }),
      "database_unavailable",
    ],
    ["a unique violation (23505)", pgError("23505"), undefined],
    [
      "a SQLite constraint",
      Object.assign(new Error("UNIQUE"), { code: "SQLITE_CONSTRAINT_UNIQUE" }),
      undefined,
    ],
    ["a bug", new TypeError("x is undefined"), undefined],
    ["something not an error", "oops", undefined],
  ])("classifies %s", (_what, error, kind) => {
    expect(classifyStoreError(error)).toBe(kind);
  });

  it("classifies the SQLITE_FULL that better-sqlite3 raises when the file may not grow", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (x BLOB)");
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let thrown: unknown;
    try {
      db.prepare("INSERT INTO t VALUES (randomblob(100000))").run();
    } catch (error) {
      thrown = error;
    }
    db.close();
    expect(classifyStoreError(thrown)).toBe("disk_full");
  });
});

describe("availability", () => {
  function tracked(settleMs = 1000) {
    let now = 0;
    const changes: [StoreState, number][] = [];
    const availability = createAvailability({ now: () => now, settleMs });
    availability.observe({ changed: (state, downMs) => changes.push([state, downMs]) });
    return { availability, changes, advance: (ms: number) => (now += ms) };
  }

  it("goes down at the first refusal and comes back once a call succeeds a settle time after the last, telling each once", () => {
    const { availability, changes, advance } = tracked();
    availability.succeeded(false);
    for (let i = 0; i < 50; i++) {
      availability.failed("database_unavailable");
      advance(100);
      availability.succeeded(false);
    }
    expect(availability.state()).toBe("database_unavailable");
    advance(1000);
    availability.succeeded(false);
    expect(availability.state()).toBe("up");
    expect(changes).toEqual([
      ["database_unavailable", 0],
      ["up", 6000],
    ]);
  });

  it("ends disk_full only with a call that wrote: reads work on a full disk", () => {
    const { availability, changes, advance } = tracked();
    availability.failed("disk_full");
    advance(5000);
    availability.succeeded(false);
    expect(availability.state()).toBe("disk_full");
    availability.succeeded(true);
    expect(availability.state()).toBe("up");
    expect(changes.map(([state]) => state)).toEqual(["disk_full", "up"]);
  });

  it("counts every refusal by kind", () => {
    const { availability } = tracked();
    const kinds: string[] = [];
    availability.observe({ failed: (kind) => kinds.push(kind) });
    availability.failed("disk_full");
    availability.failed("disk_full");
    availability.failed("database_unavailable");
    expect(kinds).toEqual(["disk_full", "disk_full", "database_unavailable"]);
  });
});

describe("guardStore", () => {
  const store = {
    lost: async () => {
      throw new Error("Connection terminated unexpectedly");
    },
    full: () => {
      throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    },
    bug: async () => {
      throw new TypeError("a bug");
    },
    createEvents: async () => "created",
    subscribe: () => "not a promise",
  };

  it("turns a lost database into a StoreUnavailableError with the driver's error as cause, and leaves other errors alone", async () => {
    const availability = createAvailability({ settleMs: 0 });
    const guarded = guardStore(store, availability);
    const lost = await guarded.lost().catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(StoreUnavailableError);
    expect(lost).toMatchObject({ code: "database_unavailable" });
    expect((lost as Error).cause).toBeInstanceOf(Error);
    expect(availability.state()).toBe("database_unavailable");
    // better-sqlite3 throws synchronously.
    expect(() => guarded.full()).toThrow(StoreUnavailableError);
    expect(availability.state()).toBe("disk_full");
    await expect(guarded.bug()).rejects.toThrow(TypeError);
    expect(guarded.subscribe()).toBe("not a promise");
    await expect(guarded.createEvents()).resolves.toBe("created");
    expect(availability.state()).toBe("up");
  });
});

describe("reconnectDelay", () => {
  it("doubles from 100 ms up to a 5 s cap, each wait a random point in the upper half", () => {
    expect([0, 1, 2, 3].map((n) => reconnectDelay(n, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((n) => reconnectDelay(n, () => 1))).toEqual([100, 200, 400, 800]);
    expect(reconnectDelay(40, () => 0)).toBe(2500);
    expect(reconnectDelay(40, () => 1)).toBe(5000);
  });
});

describe("the PostgreSQL pool", () => {
  it("fails a call within its connection timeout when the database accepts TCP and never answers", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const pool = createPool(`postgres://u:p@127.0.0.1:${port}/db`, { connectionTimeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await pool.query("SELECT 1").catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(classifyStoreError(error)).toBe("database_unavailable");
    } finally {
      await pool.end();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("gives a transaction whose connection is killed an error to handle, not an 'error' event that ends the process", async () => {
    // What killed `hookline serve` in issue 20: pg emits 'error' on a client whose connection
    // drops, and pg-pool listens only while the client is idle, not while it is lent.
    const db = await freshDatabase();
    const pool = createPool(db.url);
    try {
      const error = await transaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        await db.pool.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
        await waitFor(() => !(client as unknown as { _queryable: boolean })._queryable, 5000);
        return client.query("SELECT 1");
      }).catch((e: unknown) => e);
      expect(classifyStoreError(error)).toBe("database_unavailable");
      // The pool dropped the dead client: the next call gets a live one.
      expect((await pool.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});

describe("the LISTEN connection", () => {
  it("reconnects after its connection is killed, wakes its listeners once, and hears notifications again", async () => {
    const db = await freshDatabase();
    const due = dueListener(db.url, { random: () => 0 });
    let wakes = 0;
    due.subscribe(() => wakes++);
    const listening = async () => {
      const { rows } = await db.pool.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
      );
      return rows[0]?.pid;
    };
    try {
      const pid = await waitFor(listening, 5000, "a LISTEN connection");
      await db.pool.query("SELECT pg_terminate_backend($1)", [pid]);
      await waitFor(() => wakes === 1, 5000, "one wake-up after the reconnect");
      expect(await listening()).not.toBe(pid);
      await db.pool.query(`SELECT pg_notify('${DUE_CHANNEL}', '')`);
      await waitFor(() => wakes === 2, 5000, "the notification");
    } finally {
      await due.close();
      await db.drop();
    }
  });
});
