import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryInbox, createWebhookHandler, type ErrorContext } from "../../src/index.ts";
import { gate, makeEvent, SECRET, signedRequest } from "./support/events.ts";

const quiet = { onError: () => {}, onUnhandled: () => {} };

describe("createWebhookHandler (inline)", () => {
  it("runs the handler for a verified event and answers 200", async () => {
    const seen: unknown[] = [];
    const handler = createWebhookHandler({
      secrets: SECRET,
      on: { "payment_intent.succeeded": (event) => void seen.push(event.data.object.amount) },
    });
    const response = await handler(signedRequest(makeEvent("payment_intent.succeeded")));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(seen).toEqual([2000]);
  });

  it("refuses a wrong signature with 400, its code, and runs and records nothing", async () => {
    const run = vi.fn();
    const inbox = createMemoryInbox();
    const errors: ErrorContext[] = [];
    const handler = createWebhookHandler({
      secrets: SECRET,
      inbox,
      on: { "payment_intent.succeeded": run },
      onError: (_error, context) => errors.push(context),
    });
    const event = makeEvent("payment_intent.succeeded");
    const response = await handler(signedRequest(event, "whsec_c29tZW9uZSBlbHNl"));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "no_matching_signature" },
    });
    expect(run).not.toHaveBeenCalled();
    expect(errors).toEqual([{ stage: "verify" }]);
    // Nothing was recorded: the same event, correctly signed, is still new.
    expect(await (await handler(signedRequest(event))).json()).toEqual({ received: true });
    expect(run).toHaveBeenCalledOnce();
  });

  it("accepts any of several secrets, as during a rotation", async () => {
    const run = vi.fn();
    const handler = createWebhookHandler({
      secrets: ["whsec_b2xkIHNlY3JldA==", SECRET],
      on: { "invoice.paid": run },
    });
    expect((await handler(signedRequest(makeEvent("invoice.paid")))).status).toBe(200);
    expect(run).toHaveBeenCalledOnce();
  });

  it("acknowledges an event type without handler and reports it", async () => {
    const unhandled: string[] = [];
    const handler = createWebhookHandler({
      secrets: SECRET,
      on: {},
      onUnhandled: (event) => unhandled.push(event.type),
    });
    const response = await handler(signedRequest(makeEvent("customer.created")));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, handled: false });
    expect(unhandled).toEqual(["customer.created"]);
  });

  it("answers a redelivered event with 200 without running its handler again", async () => {
    const run = vi.fn();
    const handler = createWebhookHandler({ secrets: SECRET, on: { "invoice.paid": run } });
    const event = makeEvent("invoice.paid");
    await handler(signedRequest(event));
    const again = await handler(signedRequest(event));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(run).toHaveBeenCalledOnce();
  });

  it("answers 500 when the handler throws, and runs it again on the sender's retry", async () => {
    const attempts: number[] = [];
    const errors: unknown[] = [];
    const handler = createWebhookHandler({
      secrets: SECRET,
      on: {
        "invoice.paid": (_event, { attempt }) => {
          attempts.push(attempt);
          if (attempt === 1) throw new Error("database down");
        },
      },
      onError: (error) => errors.push(error),
    });
    const event = makeEvent("invoice.paid");
    const first = await handler(signedRequest(event));
    expect(first.status).toBe(500);
    // The reason goes to onError, never to the sender.
    expect(JSON.stringify(await first.json())).not.toContain("database down");
    expect(errors).toEqual([new Error("database down")]);
    expect((await handler(signedRequest(event))).status).toBe(200);
    expect(attempts).toEqual([1, 2]);
  });

  it("answers 409 with Retry-After while another delivery of the same event runs", async () => {
    const release = gate();
    const handler = createWebhookHandler({
      secrets: SECRET,
      on: { "invoice.paid": () => release.promise },
      leaseMs: 30_000,
    });
    const event = makeEvent("invoice.paid");
    const first = handler(signedRequest(event));
    const second = await handler(signedRequest(event));
    expect(second.status).toBe(409);
    expect(second.headers.get("retry-after")).toBe("30");
    expect(await second.json()).toMatchObject({ error: { code: "event_in_progress" } });
    release.open();
    expect((await first).status).toBe(200);
  });

  it("refuses anything but POST with 405", async () => {
    const handler = createWebhookHandler({ secrets: SECRET, on: {} });
    const response = await handler(new Request("http://localhost/webhooks"));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("explains the fix when something read the body before it", async () => {
    const handler = createWebhookHandler({ secrets: SECRET, on: {} });
    const request = signedRequest(makeEvent("invoice.paid"));
    await request.json();
    const response = await handler(request);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("body_already_read");
    expect(body.error.message).toMatch(/before any body parsing/);
  });

  it("answers 500 and reports when the inbox fails, so the sender retries", async () => {
    const contexts: string[] = [];
    const inbox = {
      ...createMemoryInbox(),
      claim: () => Promise.reject(new Error("disk full")),
    };
    const handler = createWebhookHandler({
      secrets: SECRET,
      inbox,
      on: { "invoice.paid": vi.fn() },
      onError: (_error, context) => contexts.push(context.stage),
    });
    const response = await handler(signedRequest(makeEvent("invoice.paid")));
    expect(response.status).toBe(500);
    expect(contexts).toEqual(["inbox"]);
  });
});

describe("createWebhookHandler options", () => {
  afterEach(() => vi.unstubAllEnvs());

  it.each([
    [{ secrets: "", on: {} }, /secret must be a non-empty string/],
    [{ secrets: SECRET }, /options.on must map event types/],
    [{ secrets: SECRET, on: { "invoice.paid": "yes" } }, /on\["invoice.paid"\] must be a function/],
    [{ secrets: SECRET, on: {}, mode: "later" }, /mode must be "inline" or "ack-first"/],
    [{ secrets: SECRET, on: {}, leaseMs: 0 }, /leaseMs must be a positive number/],
    [{ secrets: SECRET, on: {}, toleranceSeconds: -1 }, /toleranceSeconds/],
    [{ secrets: SECRET, on: {}, inbox: {} }, /options.inbox must be an Inbox/],
  ])("refuses bad options at creation: %j", (options, message) => {
    expect(() => createWebhookHandler(options as never)).toThrow(message);
  });

  it("warns that the default in-memory inbox is not for production", () => {
    vi.stubEnv("NODE_ENV", "production");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    createWebhookHandler({ secrets: SECRET, on: {}, ...quiet });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/in-memory inbox/));
    warn.mockClear();
    createWebhookHandler({ secrets: SECRET, on: {}, inbox: createMemoryInbox() });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
