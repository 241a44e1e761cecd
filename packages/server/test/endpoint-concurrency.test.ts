import { afterEach, describe, expect, it } from "vitest";
import { DEFAULTS } from "../src/config/config.ts";
import { startHoldingReceiver } from "./support/raw-receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// The per-endpoint cap as the receiver sees it, through the whole server: the lanes hand the
// sender at most the cap (lane.ts) and its pool holds that many connections per origin. It
// fails if a backlog reaches the receiver more than the cap at once, or never the cap at once.
describe("one endpoint with a backlog", () => {
  let server: TestServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await server?.stop();
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it("gets at most maxInFlightPerEndpoint requests at once, and gets that many", async () => {
    const cap = DEFAULTS.maxInFlightPerEndpoint;
    const target = await startHoldingReceiver(30);
    closers.push(() => target.close());
    server = await startTestServer();
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: `${target.url}/hooks`,
      enabled_events: ["invoice.paid"],
    });
    expect(endpoint.status).toBe(200);
    const count = 600;
    const batch = await server.api("POST", "/v1/events/batch", {
      events: Array.from({ length: count }, (_, i) => ({
        type: "invoice.paid",
        data: { object: { id: `in_${i}` } },
      })),
    });
    expect(batch.status).toBe(200);
    await waitFor(() => target.requests.length >= count, 60_000, "every delivery");
    expect(target.mostAtOnce()).toBeLessThanOrEqual(cap);
    // Slow start reaches the cap within a few rounds; 600 held 30 ms each are 19 rounds of it.
    expect(target.mostAtOnce()).toBe(cap);
    expect(new Set(target.requests.map((r) => r.headers["webhook-id"])).size).toBe(count);
  });
});
