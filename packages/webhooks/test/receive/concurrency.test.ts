import { afterEach, describe, expect, it } from "vitest";
import { createWebhookHandler } from "../../src/index.ts";
import { toNodeListener } from "../../src/receive/adapters/node.ts";
import { deliver, makeEvent, waitFor } from "./support/events.ts";
import { type Listening, listen } from "./support/http.ts";
import { inboxKinds, type TestInbox } from "./support/inboxes.ts";

const EVENTS = 15;
const COPIES = 4;

describe.each(inboxKinds)("simultaneous duplicates over HTTP, %s inbox", (_name, open) => {
  let storage: TestInbox;
  let server: Listening;
  afterEach(async () => {
    await server?.close();
    await storage?.cleanup();
  });

  it("run each event's handler exactly once, and every copy ends acknowledged", async () => {
    storage = await open();
    const runs = new Map<string, number>();
    const claimed = new Map<string, number>();
    const inbox = storage.inbox;
    const handler = createWebhookHandler({
      secrets: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      inbox: {
        ...inbox,
        claim: async (event, options) => {
          const claim = await inbox.claim(event, options);
          claimed.set(event.id, (claimed.get(event.id) ?? 0) + 1);
          return claim;
        },
      },
      on: {
        "payment_intent.succeeded": async (event) => {
          runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
          // Hold the run until every copy was claimed, so the copies truly overlap it.
          await waitFor(() => claimed.get(event.id) === COPIES, "every copy's claim");
        },
      },
    });
    server = await listen(toNodeListener(handler));

    const events = Array.from({ length: EVENTS }, () => makeEvent("payment_intent.succeeded"));
    const first = await Promise.all(
      events.flatMap((event) =>
        Array.from({ length: COPIES }, async () => ({
          event,
          ...(await deliver(server.url, event)),
        })),
      ),
    );
    for (const event of events) {
      const statuses = first
        .filter((r) => r.event === event)
        .map((r) => r.status)
        .sort();
      // One copy ran the handler; the others were told to come back while it ran.
      expect(statuses, event.id).toEqual([200, ...Array(COPIES - 1).fill(409)]);
      expect(runs.get(event.id), event.id).toBe(1);
    }
    // The sender retries the 409s: now they are duplicates of a handled event.
    const retried = await Promise.all(
      first.filter((r) => r.status === 409).map((r) => deliver(server.url, r.event)),
    );
    expect(retried.every((r) => r.status === 200 && r.body.duplicate === true)).toBe(true);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });
});
