import { describe, expect, it } from "vitest";
import {
  createMemoryInbox,
  createStaleEventGuard,
  createWebhookHandler,
  type Event,
  readSequence,
} from "../../src/index.ts";
import { versionOf } from "../../src/receive/stale-guard.ts";
import { makeEvent, SECRET, signed, signedRequest } from "./support/events.ts";

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

  it("orders by Hookline-Sequence when the delivery carries one, whatever the events' created times", async () => {
    const { handler, state, stale } = subscriptionStore();
    const sequenced = (event: { id: string }, value: string) => {
      const { body, headers } = signed(event);
      return new Request("http://localhost/webhooks", {
        method: "POST",
        body,
        headers: { ...headers, "hookline-sequence": value },
      });
    };
    // Created in the same second, and the older one even later by its clock: the sequence wins.
    const third = update("canceled", NOW - 5);
    const second = update("active", NOW);
    expect((await handler(sequenced(third, "sub_1:3"))).status).toBe(200);
    expect((await handler(sequenced(second, "sub_1:2"))).status).toBe(200);
    expect(state.status).toBe("canceled");
    expect(stale).toEqual([second.id]);
    await handler(sequenced(update("past_due", NOW - 60), "sub_1:4"));
    expect(state.status).toBe("past_due");
  });

  it("reads Hookline-Sequence as <percent-encoded key>:<n>, and nothing else", () => {
    expect(readSequence({ "hookline-sequence": "cus_1:7" })).toEqual({ key: "cus_1", n: 7 });
    expect(readSequence({ "hookline-sequence": "a%3Ab%2Fc:12" })).toEqual({ key: "a:b/c", n: 12 });
    for (const bad of ["cus_1", ":3", "cus_1:0", "cus_1:x", "cus_1:-1", "%E0%A4%A:1"]) {
      expect(readSequence({ "hookline-sequence": bad })).toBeUndefined();
    }
    expect(readSequence({})).toBeUndefined();
  });

  it("refuses to be built without a version store", () => {
    expect(() => createStaleEventGuard({} as never)).toThrow(/needs the inbox/);
  });
});
