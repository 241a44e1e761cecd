import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { createPostgresInbox } from "../../src/receive/inbox/postgres.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";

let db: FreshDatabase | undefined;
let pool: pg.Pool | undefined;
afterEach(async () => {
  await pool?.end();
  await db?.drop();
  pool = db = undefined;
});

const event = (id: string) => ({ id, type: "invoice.paid", payload: "{}" });

it("commits completions and failures without a WAL flush, and the setting stays in their transaction", async () => {
  db = await freshDatabase();
  // One connection: every statement of the inbox and the checks below share its session.
  pool = new pg.Pool({ connectionString: db.url, max: 1 });
  const inbox = await createPostgresInbox(pool);
  const now = Date.now();
  const options = { now, leaseMs: 60_000, durable: false };
  expect(await inbox.claim(event("evt_a"), { ...options, token: "t_a" })).toEqual({
    status: "new",
    attempt: 1,
  });
  expect(await inbox.claim(event("evt_b"), { ...options, token: "t_b" })).toMatchObject({
    status: "new",
  });
  expect(await inbox.complete("evt_a", "t_a", { now })).toBe(true);
  expect(await inbox.complete("evt_a", "t_a", { now })).toBe(false);
  expect(await inbox.fail("evt_b", "t_b", { now, retryAt: now, error: "boom" })).toBe(true);
  expect(await inbox.fail("evt_b", "t_b", { now, retryAt: now, error: "boom" })).toBe(false);
  const { rows } = await pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
  expect(rows[0]!.synchronous_commit).toBe("on");
  const states = await pool.query("SELECT id, state FROM hookline_inbox ORDER BY id");
  expect(states.rows).toEqual([
    { id: "evt_a", state: "completed" },
    { id: "evt_b", state: "failed" },
  ]);
  expect(await inbox.claim(event("evt_a"), { ...options, token: "t_c" })).toEqual({
    status: "duplicate",
  });
  await inbox.close();
});
