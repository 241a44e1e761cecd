import express from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWebhookHandler } from "../../src/index.ts";
import { expressWebhook } from "../../src/receive/adapters/express.ts";
import { toNodeListener } from "../../src/receive/adapters/node.ts";
import { deliver, makeEvent, SECRET, signed } from "./support/events.ts";
import { type Listening, listen } from "./support/http.ts";

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function paymentHandler() {
  const run = vi.fn();
  const handler = createWebhookHandler({
    secrets: SECRET,
    onError: () => {},
    on: { "payment_intent.succeeded": run },
  });
  return { handler, run };
}

describe("the Node http adapter", () => {
  it("verifies the raw body read from the stream and runs the handler", async () => {
    const { handler, run } = paymentHandler();
    server = await listen(toNodeListener(handler));
    const event = makeEvent("payment_intent.succeeded");
    expect(await deliver(server.url, event)).toEqual({ status: 200, body: { received: true } });
    expect(run).toHaveBeenCalledWith(expect.objectContaining({ id: event.id }), { attempt: 1 });
  });

  it("answers a tampered body with 400 and the error code", async () => {
    const { handler, run } = paymentHandler();
    server = await listen(toNodeListener(handler));
    const { headers } = signed(makeEvent("payment_intent.succeeded"));
    const body = JSON.stringify(makeEvent("payment_intent.succeeded"));
    const response = await fetch(server.url, { method: "POST", body, headers });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "no_matching_signature" } });
    expect(run).not.toHaveBeenCalled();
  });
});

describe("the Express adapter (express 5)", () => {
  it("handles webhooks on a route registered before express.json(), beside JSON routes", async () => {
    const { handler, run } = paymentHandler();
    const app = express();
    app.post("/webhooks", expressWebhook(handler));
    app.use(express.json());
    app.post("/echo", (req, res) => void res.json(req.body));
    server = await listen(app);

    expect(
      (await deliver(`${server.url}/webhooks`, makeEvent("payment_intent.succeeded"))).status,
    ).toBe(200);
    expect(run).toHaveBeenCalledOnce();
    const echo = await fetch(`${server.url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ a: 1 });
  });

  it("uses the raw Buffer that express.raw() left", async () => {
    const { handler, run } = paymentHandler();
    const app = express();
    app.post("/webhooks", express.raw({ type: "application/json" }), expressWebhook(handler));
    server = await listen(app);
    expect(
      (await deliver(`${server.url}/webhooks`, makeEvent("payment_intent.succeeded"))).status,
    ).toBe(200);
    expect(run).toHaveBeenCalledOnce();
  });

  it("answers a body express.json() already parsed with an error that names the fix", async () => {
    const { handler, run } = paymentHandler();
    const app = express();
    app.use(express.json());
    app.post("/webhooks", expressWebhook(handler));
    server = await listen(app);
    const response = await deliver(`${server.url}/webhooks`, makeEvent("payment_intent.succeeded"));
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ error: { code: "body_already_parsed" } });
    expect(JSON.stringify(response.body)).toMatch(/before app\.use\(express\.json\(\)\)/);
    expect(run).not.toHaveBeenCalled();
  });
});
