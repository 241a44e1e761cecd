import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWebhookHandler, type ErrorContext, type WebhookHandler } from "../../src/index.ts";
import { gate, makeEvent, SECRET, signedRequest, waitFor } from "./support/events.ts";
import { inboxKinds, type TestInbox } from "./support/inboxes.ts";

// Memory and SQLite here; the inbox contract suite covers PostgreSQL's claimDue the same way.
const kinds = inboxKinds.filter(([name]) => name !== "postgres");

describe.each(kinds)("ack-first mode, %s inbox", (_name, open) => {
  let storage: TestInbox;
  const handlers: WebhookHandler[] = [];
  beforeEach(async () => {
    storage = await open();
  });
  afterEach(async () => {
    for (const handler of handlers.splice(0)) await handler.close();
    await storage.cleanup();
  });
  const track = (handler: WebhookHandler) => {
    handlers.push(handler);
    return handler;
  };

  it("answers 202 once the event is in the inbox, before the handler finishes", async () => {
    const release = gate();
    let finished = false;
    const handler = track(
      createWebhookHandler({
        secrets: SECRET,
        inbox: storage.inbox,
        mode: "ack-first",
        on: {
          "invoice.paid": async () => {
            await release.promise;
            finished = true;
          },
        },
      }),
    );
    const response = await handler(signedRequest(makeEvent("invoice.paid")));
    expect(response.status).toBe(202);
    expect(finished).toBe(false);
    release.open();
    await handler.drain();
    expect(finished).toBe(true);
  });

  it("acknowledges a redelivery of an event still running without running it twice", async () => {
    const release = gate();
    let runs = 0;
    const handler = track(
      createWebhookHandler({
        secrets: SECRET,
        inbox: storage.inbox,
        mode: "ack-first",
        on: {
          "invoice.paid": async () => {
            runs += 1;
            await release.promise;
          },
        },
      }),
    );
    const event = makeEvent("invoice.paid");
    expect((await handler(signedRequest(event))).status).toBe(202);
    const again = await handler(signedRequest(event));
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ received: true, in_progress: true });
    release.open();
    await handler.drain();
    expect((await handler(signedRequest(event))).status).toBe(200);
    expect(runs).toBe(1);
  });

  it("retries a failing handler in the background until it succeeds", async () => {
    const attempts: number[] = [];
    const handler = track(
      createWebhookHandler({
        secrets: SECRET,
        inbox: storage.inbox,
        mode: "ack-first",
        retry: { delayMs: () => 1 },
        onError: () => {},
        on: {
          "invoice.paid": (_event, { attempt }) => {
            attempts.push(attempt);
            if (attempt < 3) throw new Error("not yet");
          },
        },
      }),
    );
    const event = makeEvent("invoice.paid");
    expect((await handler(signedRequest(event))).status).toBe(202);
    await waitFor(() => attempts.length === 3, "the third attempt");
    await handler.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect(await (await handler(signedRequest(event))).json()).toEqual({
      received: true,
      duplicate: true,
    });
  });

  it("stops after maxAttempts, reports the last failure as final, and runs again on a replay", async () => {
    const reports: ErrorContext[] = [];
    let runs = 0;
    const handler = track(
      createWebhookHandler({
        secrets: SECRET,
        inbox: storage.inbox,
        mode: "ack-first",
        // A long wait after the last attempt must not hold back a replay.
        retry: { maxAttempts: 2, delayMs: (attempt) => (attempt === 1 ? 1 : 3_600_000) },
        onError: (_error, context) => reports.push(context),
        on: {
          "invoice.paid": () => {
            runs += 1;
            throw new Error("always");
          },
        },
      }),
    );
    const event = makeEvent("invoice.paid");
    await handler(signedRequest(event));
    await waitFor(() => reports.some((r) => r.final), "the final failure");
    await handler.drain();
    expect(await handler.runDue()).toBe(0);
    expect(runs).toBe(2);
    expect(reports.map((r) => [r.stage, r.attempt, r.final])).toEqual([
      ["handler", 1, false],
      ["handler", 2, true],
    ]);
    // The operator replays the event from the sender: it runs once more.
    expect(await (await handler(signedRequest(event))).json()).toEqual({ received: true });
    await handler.drain();
    expect(runs).toBe(3);
  });
});

describe("ack-first mode across a restart (sqlite inbox)", () => {
  it("runs an acknowledged event whose process died mid-run once its lease expired", async () => {
    const storage = await inboxKinds.find(([name]) => name === "sqlite")![1]();
    try {
      const stuck = gate();
      const crashed = createWebhookHandler({
        secrets: SECRET,
        inbox: storage.inbox,
        mode: "ack-first",
        leaseMs: 60_000,
        on: { "invoice.paid": () => stuck.promise },
      });
      const event = makeEvent("invoice.paid");
      expect((await crashed(signedRequest(event))).status).toBe(202);
      await crashed.close(); // the process is gone; its run never completes

      const ran: string[] = [];
      const restarted = createWebhookHandler({
        secrets: SECRET,
        inbox: await storage.reopen(),
        mode: "ack-first",
        leaseMs: 60_000,
        now: () => Date.now() + 60_000,
        on: { "invoice.paid": (e) => void ran.push(e.id) },
      });
      // On creation it sweeps for due events; the expired lease is one of them.
      await waitFor(() => ran.length === 1, "the recovered run");
      await restarted.drain();
      await restarted.close();
      expect(ran).toEqual([event.id]);
    } finally {
      await storage.cleanup();
    }
  });
});
