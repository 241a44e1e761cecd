// The dashboard's overview shows the outbox rows set aside, with why, on a real PostgreSQL with
// a real server, in a real browser (see dashboard.test.ts); and nothing of the outbox on SQLite.
import { randomBytes } from "node:crypto";
import { emit } from "@hookline/webhooks/outbox";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import { type Server, startServer } from "../src/serve.ts";
import { ensureDashboardBuilt, launchChromium } from "./support/browser.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { API_KEY, startTestServer, waitFor } from "./support/server.ts";

let browser: Browser;
let db: FreshDatabase;
let server: Server;
beforeAll(async () => {
  ensureDashboardBuilt();
  browser = await launchChromium();
  db = await freshDatabase();
  const config = loadConfig(
    { port: "0", database: db.url },
    { HOOKLINE_API_KEY: API_KEY, HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
  );
  server = await startServer(config, { logger: false });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close(2000);
  await db?.drop();
});

async function signedIn(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(page, url);
  return page;
}

async function signIn(page: Page, url: string): Promise<void> {
  page.setDefaultTimeout(10_000);
  await page.goto(url);
  await page.getByLabel("API key").fill(API_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}

it("lists an outbox row set aside on the overview, with its type and why", async () => {
  await emit(db.pool, {
    type: "order.created",
    data: { object: { id: "or_1" } },
    tenant: "tn_nobody",
  });
  await waitFor(
    async () =>
      (await db.pool.query("SELECT 1 FROM outbox WHERE failed_at IS NOT NULL")).rowCount === 1,
    10_000,
    "the row set aside",
  );
  const page = await signedIn(server.url);
  const panel = page.getByRole("region", { name: "Outbox rows set aside" });
  await panel.getByText("No such tenant: 'tn_nobody'").waitFor();
  expect(await panel.textContent()).toContain("order.created");
  await page.close();
});

it("shows no outbox panel on SQLite, and no error either", async () => {
  const sqlite = await startTestServer();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The panel's answer has come (and been shown, or not) before the page is looked at.
    const answered = page.waitForResponse((r) => r.url().includes("/v1/outbox_failures"));
    await signIn(page, sqlite.url);
    expect((await answered).status()).toBe(400);
    await page.getByRole("heading", { name: "Failing now" }).waitFor();
    expect(await page.getByRole("heading", { name: "Outbox rows set aside" }).count()).toBe(0);
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.close();
  } finally {
    await sqlite.stop();
  }
});
