import { describe, expect, it } from "vitest";
import {
  createMemoryInbox,
  createStaleEventGuard,
  createWebhookHandler,
  type Event,
} from "../../src/index.ts";
import { versionOf } from "../../src/receive/stale-guard.ts";
import { makeEvent, SECRET, signedRequest } from "./support/events.ts";

const NOW = Math.floor(Date.now() / 1000);
const update = (status: string, created: number, extra: Record<string, unknown> = {}) =>
  makeEvent(
    "customer.subscription.updated",
    { id: "sub_1", object: "subscription", status },
    {
      created,
      ...extra,
    },
  );

function subscriptionStore() {
  const inbox = createMemoryInbox();
  const stale: string[] = [];
  const state = { status: "none" };
  const latestOnly = createStaleEventGuard(inbox, { onStale: (event) => stale.push(event.id) });
  const handler = createWebhookHandler({
    secrets: SECRET,
    inbox,
    on: {
      "customer.subscription.updated": latestOnly((event) => {
        state.status = event.data.object.status;
      }),
    },
  });
  return { handler, state, stale };
}

describe("the stale-event guard", () => {
  it("skips an older event about an object once a newer one was applied, and acknowledges it", async () => {
    const { handler, state, stale } = subscriptionStore();
    const newer = update("canceled", NOW);
    const older = update("active", NOW - 10);
    expect((await handler(signedRequest(newer))).status).toBe(200);
    expect((await handler(signedRequest(older))).status).toBe(200);
    expect(state.status).toBe("canceled");
    expect(stale).toEqual([older.id]);
  });

  it("orders events of the same second by their sequence", async () => {
    const { handler, state } = subscriptionStore();
    await handler(signedRequest(update("past_due", NOW, { sequence: 2 })));
    await handler(signedRequest(update("active", NOW, { sequence: 1 })));
    expect(state.status).toBe("past_due");
  });

  it("applies events in order as they come", async () => {
    const { handler, state, stale } = subscriptionStore();
    await handler(signedRequest(update("trialing", NOW - 20)));
    await handler(signedRequest(update("active", NOW - 10)));
    await handler(signedRequest(update("active", NOW - 10)));
    expect(state.status).toBe("active");
    expect(stale).toEqual([]);
  });

  it("keeps objects apart", async () => {
    const { handler, state } = subscriptionStore();
    await handler(signedRequest(update("canceled", NOW)));
    const other = makeEvent(
      "customer.subscription.updated",
      { id: "sub_2", object: "subscription", status: "active" },
      { created: NOW - 50 },
    );
    await handler(signedRequest(other));
    expect(state.status).toBe("active");
  });

  it("reads the version from created and a numeric sequence only", () => {
    const event = (extra: Record<string, unknown>) =>
      ({ created: 5, ...extra }) as unknown as Event;
    expect(versionOf(event({ sequence: 3 }))).toEqual({ created: 5, sequence: 3 });
    expect(versionOf(event({ sequence: "3" }))).toEqual({ created: 5, sequence: 0 });
    expect(versionOf(event({ created: undefined }))).toBeUndefined();
    expect(versionOf(event({}), { sequence: () => 7 })).toEqual({ created: 5, sequence: 7 });
  });

  it("refuses to be built without a version store", () => {
    expect(() => createStaleEventGuard({} as never)).toThrow(/needs the inbox/);
  });
});
