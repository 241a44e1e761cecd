// The whole loop on real parts: the checkout commits a payment and its event in one PostgreSQL
// transaction, a real `hookline serve` on that database relays the outbox row and delivers it,
// signed, to the store's /webhooks, which ships the order once.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase } from "../../../test/fresh-database.ts";
import { openCheckout } from "../src/checkout.ts";
import { type Store, startStore } from "../src/server.ts";

const SECRET = "whsec_c3RvcmUgc2VjcmV0IGZvciB0ZXN0cw==";
const KEY = "hk_test_store_outbox_0123456789";
const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

let db: FreshDatabase;
let dir: string;
let store: Store;
let hookline: ChildProcess;
let pool: pg.Pool;

/** `hookline serve` from source on `database`; resolves with its URL. */
function serve(database: string): Promise<string> {
  hookline = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      join(root, "packages/server/src/cli.ts"),
      "serve",
      "--port",
      "0",
      "--database",
      database,
      "--allow-network",
      "127.0.0.0/8",
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        HOOKLINE_API_KEY: KEY,
        HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        HOOKLINE_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  return new Promise((ok, fail) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Hookline is running at (http:\/\/\S+)/.exec(output);
      if (match) ok(match[1]!);
    };
    hookline.stdout!.on("data", look);
    hookline.stderr!.on("data", look);
    hookline.once("exit", (code) => fail(new Error(`hookline exited with ${code}:\n${output}`)));
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

beforeEach(async () => {
  db = await freshDatabase();
  dir = mkdtempSync(join(tmpdir(), "hookline-store-outbox-"));
  store = await startStore({ database: join(dir, "store.db"), secrets: SECRET });
  const url = await serve(db.url);
  const created = await fetch(`${url}/v1/webhook_endpoints`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      url: `${store.url}/webhooks`,
      enabled_events: ["payment_intent.*"],
      secret: SECRET,
    }),
  });
  expect(created.status).toBe(200);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterEach(async () => {
  await pool.end();
  hookline.kill("SIGKILL");
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

it("ships an order paid in a committed transaction once, and never one whose payment rolled back", async () => {
  const checkout = openCheckout(pool);
  await checkout.migrate();
  store.shop.placeOrder("ord_1");
  store.shop.placeOrder("ord_2");

  await expect(
    checkout.pay({ orderId: "ord_1", amount: 2000, email: "a@example.com" }, { fail: true }),
  ).rejects.toThrow("declined");
  await checkout.pay({ orderId: "ord_2", amount: 4500, email: "b@example.com" });

  await until(() => store.shop.order("ord_2")?.status === "paid", "ord_2 shipped");
  await store.settled();
  // The outbox is empty once ord_2's row is relayed: ord_1's never existed.
  await until(
    async () => (await pool.query("SELECT 1 FROM outbox")).rowCount === 0,
    "the outbox relayed",
  );
  expect(await checkout.paid("ord_1")).toBe(false);
  expect(store.shop.order("ord_1")).toMatchObject({ status: "pending", shipments: 0 });
  expect(store.shop.order("ord_2")).toMatchObject({ status: "paid", shipments: 1 });
  const events = await pool.query("SELECT type FROM events");
  expect(events.rows).toEqual([{ type: "payment_intent.succeeded" }]);
});
