// The least a durable JSON ingest does per event, behind the command line bench/ingest-cpu.ts
// drives (`serve --port 0 --database <file>`, then "Hookline is running at <url>"), so that the
// CPU per event and events/s of Hookline's API can be read against a floor measured in the same
// run. `bench/ingest-cpu.ts floor:<http>[+fsync]` starts it with the environment below:
//
//   INGEST_FLOOR_HTTP=node      node:http, the body read by hand and JSON.parse
//   INGEST_FLOOR_HTTP=fastify   Fastify with a JSON schema for the body (what Hookline uses)
//   INGEST_FLOOR_FSYNC=1        every answer waits for an fdatasync of the WAL on the thread
//                               pool, one at a time and shared by every commit before it
//                               (Hookline's `--durability fsync`, its default); otherwise none
//
// Per event it checks the bearer key, parses and checks `type` and `data.object`, makes an id and
// the event's bytes, and inserts one row (one index besides the key) in a transaction shared by
// every request of the same turn of the event loop (WAL, synchronous=NORMAL), then answers 200
// with the event. No tenants, idempotency keys, endpoints, rate limits, logs, metrics, rollups
// or deliveries: nothing Hookline could do without.
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import { createServer } from "node:http";
import Database from "better-sqlite3";

const args = process.argv.slice(2);
const dbPath = args[args.indexOf("--database") + 1];
const authorization = `Bearer ${process.env.HOOKLINE_API_KEY}`;
const fsync = process.env.INGEST_FLOOR_FSYNC === "1";

const db = new Database(dbPath);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(`CREATE TABLE events (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
  created_at INTEGER NOT NULL, payload BLOB NOT NULL)`);
const insert = db.prepare("INSERT INTO events (id, type, created_at, payload) VALUES (?, ?, ?, ?)");
const insertAll = db.transaction((rows) => {
  for (const row of rows) insert.run(row.id, row.type, row.created, row.payload);
});

let pending = [];
/** Resolves once `row` is committed (and synced, with INGEST_FLOOR_FSYNC=1). */
function commit(row) {
  return new Promise((resolve) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push({ row, resolve });
  });
}
function flush() {
  const batch = pending;
  pending = [];
  insertAll(batch.map((entry) => entry.row));
  const done = () => {
    for (const entry of batch) entry.resolve();
  };
  if (fsync) void syncWal().then(done);
  else done();
}

let wal;
let syncing;
let next;
/** An fdatasync that starts after every commit made before the call; calls share one. */
function syncWal() {
  if (syncing === undefined) {
    syncing = (async () => {
      wal ??= await open(`${dbPath}-wal`, "r+");
      await wal.datasync();
    })().finally(() => {
      syncing = undefined;
    });
    return syncing;
  }
  next ??= syncing.then(() => {
    next = undefined;
    return syncWal();
  });
  return next;
}

const base = randomBytes(8).toString("hex");
let counter = 0;
/** The event's bytes once committed; undefined for a body that is not an event. */
async function accept(body) {
  if (typeof body?.type !== "string" || typeof body?.data?.object !== "object") return undefined;
  const created = Math.floor(Date.now() / 1000);
  const id = `evt_${base}${(counter++).toString(36)}`;
  const payload = JSON.stringify({
    id,
    object: "event",
    type: body.type,
    created,
    data: body.data,
  });
  await commit({ id, type: body.type, created, payload });
  return payload;
}

const announce = (url) => console.log(`Hookline is running at ${url}`);

if (process.env.INGEST_FLOOR_HTTP === "fastify") {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: false });
  const body = {
    type: "object",
    required: ["type", "data"],
    properties: {
      type: { type: "string", minLength: 1, maxLength: 255 },
      data: { type: "object", required: ["object"], properties: { object: { type: "object" } } },
    },
  };
  app.post("/v1/webhook_endpoints", async () => ({ id: "we_floor" }));
  app.post("/v1/events", { schema: { body } }, async (request, reply) => {
    if (request.headers.authorization !== authorization) return reply.code(401).send({});
    const payload = await accept(request.body);
    if (payload === undefined) return reply.code(400).send({});
    return reply.header("content-type", "application/json").send(payload);
  });
  announce(await app.listen({ port: 0, host: "127.0.0.1" }));
} else {
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", async () => {
      if (request.headers.authorization !== authorization) return response.writeHead(401).end();
      if (request.url === "/v1/webhook_endpoints") return response.writeHead(200).end("{}");
      let payload;
      try {
        payload = await accept(JSON.parse(Buffer.concat(chunks).toString()));
      } catch {}
      if (payload === undefined) return response.writeHead(400).end();
      response.writeHead(200, { "content-type": "application/json" }).end(payload);
    });
  });
  server.listen(0, "127.0.0.1", () => announce(`http://127.0.0.1:${server.address().port}`));
}
process.on("SIGTERM", () => process.exit(0));
