// The transactional outbox (docs/outbox.md) on a real PostgreSQL with a real server and a
// loopback receiver: the application writes rows in its own transactions with the SDK's
// helpers, and the server turns each committed row into one event.
import { randomBytes } from "node:crypto";
import { emit, emitMany } from "@hookline/webhooks/outbox";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import { startServer } from "../src/serve.ts";
import { DUE_CHANNEL } from "../src/store/postgres/pool.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { startReceiver } from "./support/receiver.ts";
import { API_KEY, startTestServer, waitFor } from "./support/server.ts";

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe("the outbox on PostgreSQL", () => {
  let db: FreshDatabase;
  let server: Awaited<ReturnType<typeof startServer>>;
  let receiver: Receiver;
  let app: pg.Pool;

  beforeEach(async () => {
    db = await freshDatabase();
    receiver = await startReceiver();
    const config = loadConfig(
      { port: "0", database: db.url, allowNetwork: ["127.0.0.0/8"] },
      { HOOKLINE_API_KEY: API_KEY, HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    );
    server = await startServer(config, { logger: false });
    // The application's own pool, beside Hookline's.
    app = new pg.Pool({ connectionString: db.url, max: 2 });
    const created = await api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    expect(created.status).toBe(200);
  });
  afterEach(async () => {
    await app.end();
    await server.close(2000);
    await receiver.close();
    await db.drop();
  });

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: an API answer as JSON; the assertions check it
    return { status: response.status, body: (await response.json()) as any };
  }

  async function inTransaction(work: (client: pg.PoolClient) => Promise<void>, commit: boolean) {
    const client = await app.connect();
    try {
      await client.query("BEGIN");
      await work(client);
      await client.query(commit ? "COMMIT" : "ROLLBACK");
    } finally {
      client.release();
    }
  }

  const bodies = () => receiver.received.map((r) => JSON.parse(r.body));
  const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);

  it("sends an event emitted in a committed transaction once, and nothing of a rolled-back one", async () => {
    await app.query("CREATE TABLE orders (id text PRIMARY KEY, status text NOT NULL)");
    await app.query("INSERT INTO orders VALUES ('or_1', 'open'), ('or_2', 'open')");
    const pay = (id: string, commit: boolean) =>
      inTransaction(async (client) => {
        await client.query("UPDATE orders SET status = 'paid' WHERE id = $1", [id]);
        await emit(client, {
          type: "payment_intent.succeeded",
          data: { object: { id: `pi_${id}`, object: "payment_intent", order: id } },
        });
      }, commit);

    await pay("or_1", false);
    await pay("or_2", true);
    await waitFor(() => receiver.received.length >= 1, 10_000, "the committed event");
    expect(bodies()[0]).toMatchObject({
      object: "event",
      type: "payment_intent.succeeded",
      data: { object: { id: "pi_or_2", order: "or_2" } },
    });
    // Sent once: its one delivery succeeded with one attempt, and the outbox is empty.
    await waitFor(
      async () => (await count("SELECT count(*) AS n FROM attempts")) === 1,
      10_000,
      "the attempt recorded",
    );
    expect(receiver.received).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM events")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM outbox")).toBe(0);
    expect((await app.query("SELECT status FROM orders ORDER BY id")).rows).toEqual([
      { status: "open" },
      { status: "paid" },
    ]);
  });

  it("keeps the application's key order, ordering key, idempotency key and tenant as the API would", async () => {
    await inTransaction(async (client) => {
      await emitMany(client, [
        {
          type: "invoice.paid",
          data: { object: { zeta: 1, id: "in_1", alpha: 2 } },
          idempotencyKey: "inv-1",
          orderingKey: "cus_9",
        },
        // The same key and event again: one event.
        {
          type: "invoice.paid",
          data: { object: { zeta: 1, id: "in_1", alpha: 2 } },
          idempotencyKey: "inv-1",
          orderingKey: "cus_9",
        },
        { type: "invoice.paid", data: { object: { id: "in_2" } } },
      ]);
    }, true);
    await waitFor(() => receiver.received.length >= 2, 10_000, "two events");
    const [first, second] = bodies();
    expect(JSON.stringify(first.data.object)).toBe('{"zeta":1,"id":"in_1","alpha":2}');
    expect(first).toMatchObject({
      ordering_key: "cus_9",
      request: { id: null, idempotency_key: "inv-1" },
    });
    expect(second).toMatchObject({ ordering_key: "in_2", data: { object: { id: "in_2" } } });
    await waitFor(
      async () => (await count("SELECT count(*) AS n FROM outbox")) === 0,
      10_000,
      "the outbox emptied",
    );
    expect(await count("SELECT count(*) AS n FROM events")).toBe(2);
    // The key is the API's too: a create with it and the same event replays the outbox's.
    const replay = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${API_KEY}`,
        "content-type": "application/json",
        "idempotency-key": "inv-1",
      },
      body: JSON.stringify({
        type: "invoice.paid",
        data: { object: { zeta: 1, id: "in_1", alpha: 2 } },
        ordering_key: "cus_9",
      }),
    });
    expect(((await replay.json()) as { id: string }).id).toBe(first.id);
  });

  it("sets an invalid row aside with its error in the API, and the rows behind it still go", async () => {
    await inTransaction(async (client) => {
      await emit(client, { type: "order.created", data: { object: { id: "or_1" } } });
      await emit(client, {
        type: "order.created",
        data: { object: { id: "or_2" } },
        tenant: "tn_nobody",
      });
      await emit(client, { type: "Not a type!", data: { object: { id: "or_3" } } });
      // Past the helper's checks, as a hand-written INSERT could be.
      await client.query(`SELECT hookline_emit('order.created', '{"object": 42}')`);
      await client.query(`SELECT hookline_emit('order.created', '[1, 2]')`);
      await emit(client, {
        type: "order.created",
        data: { object: { id: "or_1" } },
        idempotencyKey: "k1",
      });
      // The same key with another event: the API would answer 409.
      await emit(client, {
        type: "order.created",
        data: { object: { id: "or_other" } },
        idempotencyKey: "k1",
      });
      await emit(client, { type: "order.created", data: { object: { id: "or_last" } } });
    }, true);
    await waitFor(
      () => bodies().some((b) => b.data.object.id === "or_last"),
      10_000,
      "the last row's event",
    );
    await waitFor(
      async () => (await count("SELECT count(*) AS n FROM outbox WHERE failed_at IS NULL")) === 0,
      10_000,
      "no row left waiting",
    );
    expect(
      bodies()
        .map((b) => b.data.object.id)
        .sort(),
    ).toEqual(["or_1", "or_1", "or_last"]);

    const listed = await api("GET", "/v1/outbox_failures");
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      object: "list",
      has_more: false,
      url: "/v1/outbox_failures",
    });
    const failures = listed.body.data as {
      id: string;
      tenant: string;
      type: string;
      data: unknown;
      attempts: number;
      error: { type: string; code: string; param?: string };
    }[];
    // Newest first.
    expect(failures.map((f) => [f.tenant, f.type, f.error.code, f.error.param])).toEqual([
      ["tn_default", "order.created", "idempotency_key_in_use", "idempotency_key"],
      ["tn_default", "order.created", "parameter_invalid", "data"],
      ["tn_default", "order.created", expect.any(String), expect.stringMatching(/^data/)],
      ["tn_default", "Not a type!", expect.any(String), "type"],
      ["tn_nobody", "order.created", "resource_missing", "tenant"],
    ]);
    expect(failures[0]!.data).toEqual({ object: { id: "or_other" } });
    expect(failures.every((f) => /^obx_\d+$/.test(f.id) && f.attempts === 1)).toBe(true);
    // Set aside for good: they are never taken again, whatever wakes the relay.
    await inTransaction(
      (client) => emit(client, { type: "order.created", data: { object: { id: "or_wake" } } }),
      true,
    );
    await waitFor(() => bodies().some((b) => b.data.object.id === "or_wake"), 10_000, "or_wake");
    expect((await api("GET", "/v1/outbox_failures")).body.data).toEqual(failures);

    const page = await api("GET", "/v1/outbox_failures?limit=2");
    expect(page.body.data.map((f: { id: string }) => f.id)).toEqual(
      failures.slice(0, 2).map((f) => f.id),
    );
    expect(page.body.has_more).toBe(true);
    const next = await api("GET", `/v1/outbox_failures?limit=2&starting_after=${failures[1]!.id}`);
    expect(next.body.data.map((f: { id: string }) => f.id)).toEqual(
      failures.slice(2, 4).map((f) => f.id),
    );
  });

  it("sets aside, after 3 tries alone, a row that breaks the relay for a reason its checks miss, and sends the rest", async () => {
    // A NUL in data.object.id passes every check, and becomes the event's ordering key, which
    // PostgreSQL refuses to store in a text column: the relay's transaction fails.
    await inTransaction(async (client) => {
      await emit(client, { type: "order.created", data: { object: { id: "or_before" } } });
      await emit(client, { type: "order.created", data: { object: { id: "or_\u0000" } } });
      await emit(client, { type: "order.created", data: { object: { id: "or_after" } } });
    }, true);
    await waitFor(
      () => bodies().some((b) => b.data.object.id === "or_after"),
      20_000,
      "the row behind the broken one",
    );
    const failures = await waitFor(async () => {
      const listed = await api("GET", "/v1/outbox_failures");
      return listed.body.data.length === 1 ? listed.body.data : undefined;
    }, 20_000);
    expect(failures[0]).toMatchObject({
      attempts: 3,
      error: { type: "api_error", code: "relay_failed" },
    });
    expect(await count("SELECT count(*) AS n FROM outbox")).toBe(1);
    expect(
      bodies()
        .map((b) => b.data.object.id)
        .sort(),
    ).toEqual(["or_after", "or_before"]);
  });

  it("sends a row set aside once it is retried after its cause is fixed, and deletes one for good", async () => {
    await inTransaction(async (client) => {
      await emit(client, {
        type: "order.created",
        data: { object: { id: "or_1" } },
        tenant: "tn_late",
      });
      await emit(client, { type: "Not a type!", data: { object: { id: "or_2" } } });
    }, true);
    const listed = await waitFor(async () => {
      const answer = await api("GET", "/v1/outbox_failures");
      return answer.body.data.length === 2 ? answer.body.data : undefined;
    }, 10_000);
    const [badType, lateTenant] = listed as { id: string }[];

    // The cause fixed (the tenant created), the row goes back in line.
    expect(await api("POST", `/v1/tenants`, { id: "tn_late", name: "Late" })).toMatchObject({
      status: 200,
    });
    const retried = await api("POST", `/v1/outbox_failures/${lateTenant!.id}/retry`);
    expect(retried).toEqual({
      status: 200,
      body: { id: lateTenant!.id, object: "outbox_failure", retried: true },
    });
    await waitFor(
      async () =>
        (await count("SELECT count(*) AS n FROM events WHERE tenant_id = 'tn_late'")) === 1,
      10_000,
      "the retried row's event",
    );
    const deleted = await api("DELETE", `/v1/outbox_failures/${badType!.id}`);
    expect(deleted).toEqual({
      status: 200,
      body: { id: badType!.id, object: "outbox_failure", deleted: true },
    });
    expect(await count("SELECT count(*) AS n FROM outbox")).toBe(0);
    expect((await api("GET", "/v1/outbox_failures")).body.data).toEqual([]);

    // Gone, and never there: the same 404, and nothing changes.
    for (const [method, path] of [
      ["DELETE", `/v1/outbox_failures/${badType!.id}`],
      ["POST", `/v1/outbox_failures/${lateTenant!.id}/retry`],
      ["POST", "/v1/outbox_failures/obx_x/retry"],
      ["POST", "/v1/outbox_failures/evt_1/retry"],
      ["DELETE", "/v1/outbox_failures/obx_99999999999999999999"],
    ] as const) {
      const answer = await api(method, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.error, path).toMatchObject({ code: "resource_missing", param: "id" });
    }
    const extra = await api("POST", `/v1/outbox_failures/${lateTenant!.id}/retry`, { now: true });
    expect(extra.status).toBe(400);
    expect(await count("SELECT count(*) AS n FROM events WHERE tenant_id = 'tn_late'")).toBe(1);
  });

  it("refuses bad list parameters, and any key but the root key, with the usual error", async () => {
    for (const [query, param] of [
      ["starting_after=evt_1", "starting_after"],
      ["starting_after=obx_", "starting_after"],
      ["starting_after=obx_12x", "starting_after"],
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=ten", "limit"],
      ["ending_before=obx_1", "ending_before"],
    ]) {
      const answer = await api("GET", `/v1/outbox_failures?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error, query).toMatchObject({ type: "invalid_request_error", param });
    }
    const anonymous = await fetch(`${server.url}/v1/outbox_failures`);
    expect(anonymous.status).toBe(401);
    // A tenant's key acts within its tenant; set-aside rows may name any tenant, or none.
    expect((await api("POST", "/v1/tenants", { id: "tn_acme", name: "Acme" })).status).toBe(200);
    const key = await api("POST", "/v1/api_keys", { tenant: "tn_acme" });
    for (const [method, path] of [
      ["GET", "/v1/outbox_failures"],
      ["POST", "/v1/outbox_failures/obx_1/retry"],
      ["DELETE", "/v1/outbox_failures/obx_1"],
    ] as const) {
      const answer = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key.body.key}` },
      });
      expect(answer.status, path).toBe(403);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(
        "permission_denied",
      );
    }
  });
});

describe("the outbox's wake-up", () => {
  it("is heard at the application's commit on the node's one LISTEN connection, apart from due deliveries", async () => {
    const db = await freshDatabase();
    const store = await createPostgresStore(db.url, { poolSize: 2 });
    let outbox = 0;
    let due = 0;
    store.onOutboxRows(() => outbox++);
    store.onDeliveriesDue?.(() => due++);
    const listening = () =>
      db.pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
      );
    try {
      await waitFor(async () => (await listening()).rowCount === 1, 5000, "the LISTEN connection");
      const client = await db.pool.connect();
      try {
        await client.query("BEGIN");
        await emit(client, { type: "order.created", data: { object: { id: "or_1" } } });
        // Time for a notification to arrive, were one sent before the commit: none is.
        await new Promise((ok) => setTimeout(ok, 100));
        expect(outbox).toBe(0);
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      await waitFor(() => outbox === 1, 5000, "the outbox's notification");
      await db.pool.query(`SELECT pg_notify('${DUE_CHANNEL}', '')`);
      await waitFor(() => due === 1, 5000, "the due notification");
      expect(outbox).toBe(1);
      expect((await listening()).rowCount).toBe(1);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

describe("the outbox on SQLite", () => {
  it("is not there, and its list says why", async () => {
    const server = await startTestServer();
    try {
      for (const [method, path] of [
        ["GET", "/v1/outbox_failures"],
        ["POST", "/v1/outbox_failures/obx_1/retry"],
        ["DELETE", "/v1/outbox_failures/obx_1"],
      ]) {
        const answer = await server.api(method!, path!);
        expect(answer.status, path).toBe(400);
        expect(answer.body.error, path).toMatchObject({
          type: "invalid_request_error",
          code: "outbox_unavailable",
        });
      }
    } finally {
      await server.stop();
    }
  });
});

describe("the SDK's outbox helpers", () => {
  it("refuse a malformed event before anything is written", async () => {
    const calls: unknown[] = [];
    const query = async (sql: string, params: unknown[]) => calls.push([sql, params]);
    const bad = [
      { type: "", data: { object: {} } },
      { type: "a.b", data: {} },
      { type: "a.b", data: { object: [1] } },
      { type: "a.b", data: { object: {} }, tenant: "" },
      { type: "a.b", data: { object: {} }, idempotencyKey: 7 },
    ];
    for (const event of bad) {
      // biome-ignore lint/suspicious/noExplicitAny: malformed on purpose
      await expect(emit(query, event as any)).rejects.toThrow(TypeError);
    }
    await expect(
      emit(query, { type: "a.b", data: { object: {} } }, { schema: 'x"; DROP' }),
    ).rejects.toThrow(TypeError);
    expect(calls).toEqual([]);
    await emit(query, { type: "a.b", data: { object: { id: "x" } } }, { schema: "hookline" });
    expect(calls).toEqual([
      [
        'SELECT "hookline".hookline_emit($1, $2::json, $3, $4, $5)',
        ["a.b", '{"object":{"id":"x"}}', null, null, null],
      ],
    ]);
  });
});
