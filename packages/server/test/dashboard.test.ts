import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuilt, launchChromium } from "./support/browser.ts";
import { startReceiver } from "./support/receiver.ts";
import { API_KEY, startTestServer, type TestServer } from "./support/server.ts";

// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against a real
// server and loopback receivers. Every wait is for something on screen, never a fixed time.
// Code run in the page is passed as strings: this package is typechecked without DOM types.

const IMAGES = join(import.meta.dirname, "..", "..", "..", "docs", "images");
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The one browser call these tests make outside strings (no DOM types here). */
type BrowserWindow = { getComputedStyle(e: unknown): { color: string } };

describe("the dashboard", () => {
  let browser: Browser;
  let server: TestServer;
  let healthy: Awaited<ReturnType<typeof startReceiver>>;
  let flaky: Awaited<ReturnType<typeof startReceiver>>;
  let flakyStatus = 500;

  beforeAll(async () => {
    ensureDashboardBuilt();
    browser = await launchChromium();
    // No automatic retry within the test: retries are the operator's, through the dashboard.
    server = await startTestServer({ HOOKLINE_RETRY_SCHEDULE: "1h", HOOKLINE_FAILING_AFTER: "1" });
    healthy = await startReceiver();
    flaky = await startReceiver(() => ({ status: flakyStatus, body: `answer ${flakyStatus}` }));
    mkdirSync(IMAGES, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await healthy?.close();
    await flaky?.close();
  });

  async function signedIn(viewport = DESKTOP): Promise<Page> {
    const page = await browser.newPage({ viewport });
    // Below the test's timeout, so that a wait that fails names what it waited for.
    page.setDefaultTimeout(10_000);
    await page.goto(server.url);
    await page.getByLabel("API key").fill(API_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.locator('[data-live="live"]').waitFor();
    return page;
  }

  it("refuses a wrong API key with a clear error, and keeps no key", async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(server.url);
    await page.getByLabel("API key").fill("hk_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "This API key was refused: Invalid API key provided.",
    );
    expect(await page.evaluate("Object.keys(sessionStorage)")).toEqual([]);
    await page.close();
  });

  it("signs in, creates an endpoint, and shows its delivery succeed without reloading", async () => {
    const page = await signedIn();
    expect(page.url()).not.toContain(API_KEY);
    await page.getByRole("link", { name: "Endpoints" }).click();
    await page.getByText("Add an endpoint").click();
    await page.getByLabel("URL").fill(healthy.url);
    await page.getByLabel("Event types").fill("*");
    await page.getByRole("button", { name: "Create endpoint" }).click();
    await page.waitForURL(/\/endpoints\/we_/);
    await page.getByRole("button", { name: "Reveal secret" }).click();
    expect(await page.locator("[data-secret]").textContent()).toMatch(/^whsec_/);

    // A marker on the page's window: still there afterwards means the page was not reloaded.
    await page.evaluate("window.stillThisPage = true");
    const sent = await server.api("POST", "/v1/events", {
      type: "invoice.paid",
      data: { object: { id: "in_1", amount_paid: 4200 } },
    });
    expect(sent.status).toBe(200);
    await page.locator('[data-delivery] [data-status="succeeded"]').waitFor();
    expect(healthy.received).toHaveLength(1);
    expect(await page.evaluate(`"stillThisPage" in window`)).toBe(true);

    // The event's page: its delivery and the attempt as the receiver saw it.
    await page.getByRole("link", { name: sent.body.id }).click();
    await page.getByRole("heading", { name: "Payload" }).waitFor();
    await page.getByText("Attempts").first().click();
    await page.locator("[data-attempt]").first().waitFor();
    const attempt = await page.locator("[data-attempt]").first().textContent();
    expect(attempt).toContain("stripe-signature");
    expect(attempt).toContain("200");
    await page.screenshot({ path: join(IMAGES, "event-desktop.png"), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(IMAGES, "event-phone.png"), fullPage: true });
    await page.close();
  });

  it("shows a per_key delivery's ordering key and its place in the key", async () => {
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: healthy.url,
      enabled_events: ["customer.*"],
      ordering: "per_key",
    });
    for (const name of ["Ada", "Grace"]) {
      await server.api("POST", "/v1/events", {
        type: "customer.updated",
        data: { object: { id: "cus_9", name } },
      });
    }
    const page = await signedIn();
    await page.goto(`${server.url}/endpoints/${created.body.id}`);
    await page.locator("[data-delivery] [data-sequence]").nth(1).waitFor();
    const shown = await page.locator("[data-delivery] [data-sequence]").allTextContents();
    expect(shown.sort()).toEqual(["cus_9 #1", "cus_9 #2"]);
    await page.close();
  });

  it("turns a failing endpoint red, and its retry succeeds once the receiver is fixed", async () => {
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: flaky.url,
      enabled_events: ["invoice.*"],
      description: "billing service",
    });
    const page = await signedIn();
    await page.goto(`${server.url}/endpoints/${created.body.id}`);
    await page.locator('[data-live="live"]').waitFor();
    const badge = page.locator("h1 + [data-health]");
    await expect(badge.getAttribute("data-health")).resolves.toBe("healthy");

    await server.api("POST", "/v1/events", {
      type: "invoice.payment_failed",
      data: { object: { id: "in_2", amount_due: 990 } },
    });
    await page.locator('h1 + [data-health="failing"]').waitFor();
    expect(
      await badge.evaluate(
        (e) => (globalThis as unknown as BrowserWindow).getComputedStyle(e).color,
      ),
    ).toBe("rgb(207, 34, 46)");
    await page.locator('[data-delivery] [data-status="pending"]').waitFor();

    // The overview lists it under "Failing now".
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("region", { name: "Failing now" }).getByText(flaky.url).waitFor();

    flakyStatus = 200;
    await page.getByRole("region", { name: "Failing now" }).getByText(flaky.url).click();
    await page.getByRole("button", { name: /^Retry delivery/ }).click();
    await page.locator('[data-delivery] [data-status="succeeded"]').waitFor();
    await page.locator('h1 + [data-health="healthy"]').waitFor();
    expect(flaky.received).toHaveLength(2);
    await page.close();
  });

  it("counts what recovery would resend before resending it", async () => {
    let status = 503;
    const down = await startReceiver(() => ({ status }));
    const endpoint = (
      await server.api("POST", "/v1/webhook_endpoints", {
        url: down.url,
        enabled_events: ["invoice.voided"],
      })
    ).body;
    const page = await signedIn();
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.locator('[data-live="live"]').waitFor();
    await server.api("POST", "/v1/events", { type: "invoice.voided", data: { object: {} } });
    await page.locator('h1 + [data-health="failing"]').waitFor();
    // Disabling skips the pending retry; skipped deliveries are what recovery sends again.
    await page.getByRole("button", { name: "Disable endpoint" }).click();
    await page.getByRole("button", { name: "Enable endpoint" }).click();
    await page.getByRole("button", { name: "Disable endpoint" }).waitFor();
    await page.getByRole("button", { name: "Count deliveries" }).click();
    await expect(
      page.locator("[data-recover-count]").getAttribute("data-recover-count"),
    ).resolves.toBe("1");
    await page.screenshot({ path: join(IMAGES, "endpoint-desktop.png"), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(IMAGES, "endpoint-phone.png"), fullPage: true });
    status = 200;
    await page.getByRole("button", { name: "Recover 1 delivery" }).click();
    await page.getByText("Re-queued 1 deliveries.").waitFor();
    await page.locator('[data-delivery] [data-status="succeeded"]').waitFor();
    expect(down.received).toHaveLength(2);
    await page.close();
    await down.close();
  });

  it("sends a test event from the endpoint page and shows the answer", async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: "test ok" }));
    const endpoint = (
      await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["invoice.paid"],
      })
    ).body;
    const page = await signedIn();
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.getByLabel("Send an example event of type").fill("customer.created");
    await page.getByRole("button", { name: "Send test event" }).click();
    await page.locator('[data-test-send="succeeded"]').waitFor();
    await expect(page.locator("[data-test-send]").textContent()).resolves.toContain("status 200");
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body).type).toBe("customer.created");
    await page.close();
    await receiver.close();
  });

  it("draws the overview at desktop and phone widths", async () => {
    const page = await signedIn();
    await page.locator(".chart .uplot").first().waitFor();
    expect(await page.locator('[data-tile="Events"]').textContent()).toMatch(/^[1-9]/);
    await page.screenshot({ path: join(IMAGES, "overview-desktop.png"), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(IMAGES, "overview-phone.png"), fullPage: true });
    // Nothing wider than the phone's screen.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.close();
  });

  it("is usable by keyboard alone: sign in, move between screens, open an endpoint", async () => {
    await server.api("POST", "/v1/webhook_endpoints", { url: healthy.url, enabled_events: ["*"] });
    const page = await browser.newPage({ viewport: PHONE });
    page.setDefaultTimeout(10_000);
    await page.goto(server.url);
    /** Tabs forward until the focused element matches, as a keyboard user would. */
    const tabTo = async (matches: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        if (await page.evaluate(`!!document.activeElement?.matches(${JSON.stringify(matches)})`))
          return;
      }
      throw new Error(`Tab never reached ${matches}`);
    };
    /** The focused element shows where it is: an outline or a box shadow. */
    const focusVisible = () =>
      page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; })()",
      );
    await tabTo("input");
    await page.keyboard.type(API_KEY);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await tabTo('a[href="/endpoints"]');
    expect(await focusVisible()).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/endpoints$/);
    await tabTo('a[href^="/endpoints/we_"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/endpoints\/we_/);
    await tabTo("button");
    expect(await focusVisible()).toBe(true);
    await page.close();
  });
});
