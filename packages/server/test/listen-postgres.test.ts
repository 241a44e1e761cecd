import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import { DEFAULT_LISTEN_TIMEOUT_MS, maxListenTimeoutMs } from "../src/listen/timeout.ts";
import { startServer } from "../src/serve.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";

// `hookline listen` against PostgreSQL nodes. A node started with --role api runs no dispatcher,
// so nothing would ever go down a listen stream opened on it: `hookline listen` sat connected
// and silent; it is refused at once with a readable reason instead, naming where to connect.
// And the CLI's default timeout must fit the default lease, or the first `hookline listen`
// against PostgreSQL is refused.

const KEY = "hk_test_listen_roles_0123456789";
let db: FreshDatabase;
let node: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  db = await freshDatabase();
  const env = {
    HOOKLINE_API_KEY: KEY,
    HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  node = await startServer(loadConfig({ port: "0", database: db.url, role: "api" }, env), {
    logger: false,
  });
});
afterAll(async () => {
  await node?.close();
  await db.drop();
});
const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };

it("gives hookline listen a default timeout that PostgreSQL nodes accept under the default lease", () => {
  // A PostgreSQL node keeps HOOKLINE_LEASE as set (60 s by default) and allows a listener at
  // most half of it less 10 s; the CLI sends its default unless --timeout says otherwise.
  const lease = loadConfig({ database: db.url }, { HOOKLINE_API_KEY: KEY }).leaseMs;
  expect(DEFAULT_LISTEN_TIMEOUT_MS).toBeLessThanOrEqual(maxListenTimeoutMs(lease));
});

it("refuses a listen stream on an api-role node, which could never feed it", async () => {
  const session = await fetch(`${node.url}/v1/listen_sessions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "laptop" }),
  });
  expect(session.status).toBe(200);
  const { id } = (await session.json()) as { id: string };

  const stop = new AbortController();
  const stream = await fetch(`${node.url}/v1/listen_sessions/${id}/stream`, {
    headers,
    signal: stop.signal,
  });
  try {
    expect(stream.status, await stream.clone().text()).toBe(421);
    expect(await stream.json()).toEqual({
      error: {
        type: "invalid_request_error",
        code: "listen_unavailable",
        message: expect.stringMatching(/--role api.*--role all/),
      },
    });
  } finally {
    stop.abort();
  }
});
