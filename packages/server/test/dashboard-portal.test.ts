import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuilt, launchChromium } from "./support/browser.ts";
import { startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// A portal link in a real browser (Debian's chromium, driven by playwright-core) against a real
// server: it opens the dashboard on one tenant and the page never shows, nor asks for, another.
// Every wait is for something on screen, never a fixed time.

const IMAGES = join(import.meta.dirname, "..", "..", "..", "docs", "images");
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

describe("the dashboard through a portal link", () => {
  let browser: Browser;
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const tenants = {
    a: { id: "tn_acme", name: "Acme", path: "/acme-hooks" } as Record<string, string>,
    b: { id: "tn_globex", name: "Globex", path: "/globex-hooks" } as Record<string, string>,
  };

  beforeAll(async () => {
    ensureDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer();
    receiver = await startReceiver();
    mkdirSync(IMAGES, { recursive: true });
    for (const t of Object.values(tenants)) {
      await server.api("POST", "/v1/tenants", { id: t.id, name: t.name });
      const as = { "hookline-tenant": t.id! };
      const endpoint = await server.api(
        "POST",
        "/v1/webhook_endpoints",
        {
          url: `${receiver.url}${t.path}`,
          enabled_events: ["*"],
          description: `${t.name} billing`,
        },
        as,
      );
      t.endpoint = endpoint.body.id;
      t.url = endpoint.body.url;
      const before = receiver.received.length;
      const event = await server.api(
        "POST",
        "/v1/events",
        { type: "invoice.paid", data: { object: { id: `in_${t.name}` } } },
        as,
      );
      t.event = event.body.id;
      await waitFor(() => receiver.received.length === before + 1);
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  it("shows only its tenant's endpoints and events, and asks the API for nothing else", async () => {
    const { a, b } = tenants as { a: Record<string, string>; b: Record<string, string> };
    const link = await server.api("POST", `/v1/tenants/${a.id}/portal_links`, {});
    expect(link.status).toBe(200);
    const page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(10_000);
    const requests: Request[] = [];
    const bodies: string[] = [];
    page.on("request", (r) => requests.push(r));
    page.on("response", async (r) => {
      // Every JSON answer of the API (the stream stays open and is checked by its messages below).
      if (new URL(r.url()).pathname.startsWith("/v1/") && !r.url().endsWith("/v1/stream")) {
        bodies.push(await r.text().catch(() => ""));
      }
    });

    await page.goto(link.body.url);
    await page.getByText(`Portal: ${a.name}`).waitFor();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.locator('[data-live="live"]').waitFor();
    // The token left the address bar at once and lives in this tab's session storage only.
    expect(page.url()).toBe(`${server.url}/`);
    expect(await page.evaluate("sessionStorage.getItem('hookline.apiKey')")).toBe(link.body.token);
    expect(await page.getByLabel("API key").count()).toBe(0);

    await page.getByRole("link", { name: "Endpoints" }).click();
    await page.getByRole("link", { name: a.url! }).waitFor();
    await page.screenshot({ path: join(IMAGES, "portal-desktop.png"), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(IMAGES, "portal-phone.png"), fullPage: true });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.setViewportSize(DESKTOP);

    await page.getByRole("link", { name: "Events" }).click();
    await page.locator(`[data-event="${a.event}"]`).waitFor();
    await page.getByRole("link", { name: a.event! }).click();
    await page.getByRole("heading", { name: "Payload" }).waitFor();
    await page.locator('[data-delivery] [data-status="succeeded"]').waitFor();

    // A new event of B's while the page is live: nothing of it reaches this page.
    const bLater = await server.api(
      "POST",
      "/v1/events",
      { type: "invoice.paid", data: { object: { id: "in_globex_2" } } },
      { "hookline-tenant": b.id! },
    );
    const aLater = await server.api(
      "POST",
      "/v1/events",
      { type: "invoice.paid", data: { object: { id: "in_acme_2" } } },
      { "hookline-tenant": a.id! },
    );
    await page.getByRole("link", { name: "Events" }).click();
    await page.locator(`[data-event="${aLater.body.id}"]`).waitFor();

    const text = (await page.evaluate("document.body.innerText")) as string;
    expect(text).toContain(a.event);
    for (const secretOfB of [b.name, b.url, b.endpoint, b.event, bLater.body.id, b.id]) {
      expect(text).not.toContain(secretOfB);
    }
    const api = requests.filter((r) => new URL(r.url()).pathname.startsWith("/v1/"));
    expect(api.length).toBeGreaterThan(5);
    for (const request of api) {
      const headers = await request.allHeaders();
      expect(headers.authorization, request.url()).toBe(`Bearer ${link.body.token}`);
      expect(headers["hookline-tenant"], request.url()).toBeUndefined();
      for (const id of [b.endpoint!, b.event!, b.id!]) expect(request.url()).not.toContain(id);
    }
    // No request carried the token in its URL, not even the page's own.
    for (const request of requests) expect(request.url()).not.toContain(link.body.token);
    const answers = bodies.join("\n");
    expect(answers).toContain(a.endpoint);
    for (const id of [b.endpoint!, b.event!, bLater.body.id]) expect(answers).not.toContain(id);

    // Leaving clears the session and offers the link again, not a form for a key.
    await page.getByRole("button", { name: "Leave portal" }).click();
    await page.getByText("You left the portal.").waitFor();
    expect(await page.evaluate("Object.keys(sessionStorage)")).toEqual([]);
    await page.close();
  });

  it("says so when the link was refused, and asks for no API key", async () => {
    const link = await server.api("POST", `/v1/tenants/${tenants.a.id}/portal_links`, {});
    const page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(10_000);
    // The link as a forwarded copy might arrive: one character of its signature changed. Not
    // the last one: base64url's last character carries padding bits, and A↔B there can decode
    // to the same signature (the link then works and the test failed about 1 run in 16).
    const token: string = link.body.token;
    const at = token.length - 5;
    const broken = `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
    await page.goto(`${server.url}/portal#token=${broken}`);
    await expect(page.getByRole("alert").textContent()).resolves.toBe(
      "This portal link cannot be used: Invalid portal link.",
    );
    expect(await page.getByLabel("API key").count()).toBe(0);
    expect(page.url()).toBe(`${server.url}/`);
    await page.close();
  });
});
