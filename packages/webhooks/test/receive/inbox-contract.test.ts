import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Inbox } from "../../src/index.ts";
import { inboxKinds, type TestInbox } from "./support/inboxes.ts";

const LEASE = 60_000;
const T0 = 1_700_000_000_000;
const event = (id: string) => ({ id, type: "invoice.paid", payload: `{"id":"${id}"}` });
const claimAt = (now: number, token = `tok_${now}`) => ({ now, leaseMs: LEASE, token });

describe.each(inboxKinds)("the %s inbox", (_name, open) => {
  let storage: TestInbox;
  let inbox: Inbox;
  beforeEach(async () => {
    storage = await open();
    inbox = storage.inbox;
  });
  afterEach(() => storage.cleanup());

  it("gives a new event to the first claim, and calls it a duplicate once completed", async () => {
    expect(await inbox.claim(event("evt_1"), claimAt(T0, "a"))).toEqual({
      status: "new",
      attempt: 1,
    });
    expect(await inbox.complete("evt_1", "a", { now: T0 + 1 })).toBe(true);
    expect(await inbox.claim(event("evt_1"), claimAt(T0 + 2, "b"))).toEqual({
      status: "duplicate",
    });
  });

  it("answers in progress while a lease runs, and lets a claim take over once it expired", async () => {
    await inbox.claim(event("evt_1"), claimAt(T0, "a"));
    expect(await inbox.claim(event("evt_1"), claimAt(T0 + LEASE - 1, "b"))).toEqual({
      status: "in_progress",
      retryAt: T0 + LEASE,
    });
    expect(await inbox.claim(event("evt_1"), claimAt(T0 + LEASE, "c"))).toEqual({
      status: "new",
      attempt: 2,
    });
    // The crashed holder comes back: its token no longer completes the event.
    expect(await inbox.complete("evt_1", "a", { now: T0 + LEASE + 1 })).toBe(false);
    expect(await inbox.complete("evt_1", "c", { now: T0 + LEASE + 1 })).toBe(true);
  });

  it("makes a failed event claimable again from its retry time, not before", async () => {
    await inbox.claim(event("evt_1"), claimAt(T0, "a"));
    expect(await inbox.fail("evt_1", "a", { now: T0, retryAt: T0 + 500, error: "boom" })).toBe(
      true,
    );
    expect(await inbox.claim(event("evt_1"), claimAt(T0 + 499, "b"))).toMatchObject({
      status: "in_progress",
    });
    expect(await inbox.claim(event("evt_1"), claimAt(T0 + 500, "c"))).toEqual({
      status: "new",
      attempt: 2,
    });
  });

  it("does not let a token fail or complete an event it does not hold", async () => {
    await inbox.claim(event("evt_1"), claimAt(T0, "a"));
    expect(await inbox.fail("evt_1", "x", { now: T0, retryAt: T0, error: "boom" })).toBe(false);
    expect(await inbox.complete("evt_2", "a", { now: T0 })).toBe(false);
    expect(await inbox.claim(event("evt_1"), claimAt(T0 + 1, "b"))).toMatchObject({
      status: "in_progress",
    });
  });

  it("claims due events (retries and expired leases) but leaves exhausted and running ones", async () => {
    await inbox.claim(event("evt_retry"), claimAt(T0, "a"));
    await inbox.fail("evt_retry", "a", { now: T0, retryAt: T0 + 10, error: "boom" });
    await inbox.claim(event("evt_crashed"), claimAt(T0 - LEASE, "b"));
    await inbox.claim(event("evt_running"), claimAt(T0, "c"));
    await inbox.claim(event("evt_done"), claimAt(T0 - LEASE, "d"));
    await inbox.complete("evt_done", "d", { now: T0 });
    await inbox.claim(event("evt_exhausted"), claimAt(T0, "e"));
    await inbox.fail("evt_exhausted", "e", { now: T0, retryAt: T0, error: "boom" });

    const due = await inbox.claimDue({ ...claimAt(T0 + 10, "sweep"), maxAttempts: 2, limit: 10 });
    // evt_exhausted was tried once, like evt_retry, so it is due too; maxAttempts 1 leaves it.
    expect(due.map((e) => e.id).sort()).toEqual(["evt_crashed", "evt_exhausted", "evt_retry"]);
    expect(due.find((e) => e.id === "evt_retry")).toMatchObject({
      type: "invoice.paid",
      payload: '{"id":"evt_retry"}',
      token: "sweep",
      attempt: 2,
    });
    expect(
      await inbox.claimDue({ ...claimAt(T0 + 10, "again"), maxAttempts: 2, limit: 10 }),
    ).toEqual([]);
    expect(await inbox.complete("evt_retry", "sweep", { now: T0 + 11 })).toBe(true);
  });

  it("stops offering an event to claimDue once it used its attempts", async () => {
    await inbox.claim(event("evt_1"), claimAt(T0, "a"));
    await inbox.fail("evt_1", "a", { now: T0, retryAt: T0, error: "boom" });
    expect(await inbox.claimDue({ ...claimAt(T0, "s"), maxAttempts: 1, limit: 10 })).toEqual([]);
  });

  it("claims at most `limit` due events, oldest first", async () => {
    for (const [i, id] of ["evt_c", "evt_a", "evt_b"].entries()) {
      await inbox.claim(event(id), claimAt(T0, id));
      await inbox.fail(id, id, { now: T0, retryAt: T0 + [3, 1, 2][i]!, error: "boom" });
    }
    const due = await inbox.claimDue({ ...claimAt(T0 + 5, "s"), maxAttempts: 5, limit: 2 });
    expect(due.map((e) => e.id)).toEqual(["evt_a", "evt_b"]);
  });

  it("records object versions forward only: newer and equal pass, older is stale", async () => {
    expect(await inbox.advance("sub_1", { created: 100, sequence: 0 })).toBe(true);
    expect(await inbox.advance("sub_1", { created: 100, sequence: 0 })).toBe(true);
    expect(await inbox.advance("sub_1", { created: 100, sequence: 2 })).toBe(true);
    expect(await inbox.advance("sub_1", { created: 100, sequence: 1 })).toBe(false);
    expect(await inbox.advance("sub_1", { created: 99, sequence: 9 })).toBe(false);
    expect(await inbox.advance("sub_1", { created: 101, sequence: 0 })).toBe(true);
    expect(await inbox.advance("sub_2", { created: 1, sequence: 0 })).toBe(true);
  });

  it("gives one claim of many simultaneous ones, also across connections", async () => {
    const second = await storage.reopen();
    const ids = Array.from({ length: 20 }, (_, i) => `evt_${i}`);
    const claims = await Promise.all(
      ids.flatMap((id) =>
        [inbox, second, inbox, second].map(async (which, n) => ({
          id,
          claim: await which.claim(event(id), claimAt(T0, `${id}_${n}`)),
        })),
      ),
    );
    for (const id of ids) {
      const statuses = claims.filter((c) => c.id === id).map((c) => c.claim.status);
      expect(
        statuses.filter((s) => s === "new"),
        id,
      ).toHaveLength(1);
      expect(
        statuses.filter((s) => s === "in_progress"),
        id,
      ).toHaveLength(3);
    }
  });
});
