import Fastify from "fastify";
import { afterEach, expect, it, vi } from "vitest";
import { createWebhookHandler } from "../../src/index.ts";
import { fastifyWebhook } from "../../src/receive/adapters/fastify.ts";
import { deliver, makeEvent, SECRET } from "./support/events.ts";

let app = Fastify();
afterEach(async () => {
  await app.close();
  app = Fastify();
});

it("serves webhooks from a plugin whose raw-body parser stays in its own scope", async () => {
  const run = vi.fn();
  const handler = createWebhookHandler({
    secrets: SECRET,
    onError: () => {},
    on: { "invoice.payment_failed": run },
  });
  await app.register(fastifyWebhook, { prefix: "/webhooks", handler });
  app.post("/echo", async (request) => request.body);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });

  const event = makeEvent("invoice.payment_failed", { id: "in_1", object: "invoice" });
  expect(await deliver(`${url}/webhooks`, event)).toEqual({
    status: 200,
    body: { received: true },
  });
  expect(run).toHaveBeenCalledWith(expect.objectContaining({ id: event.id }), { attempt: 1 });

  const tampered = await deliver(`${url}/webhooks`, event, "whsec_b3RoZXIgc2VjcmV0");
  expect(tampered.status).toBe(400);

  // Outside the plugin, Fastify still parses JSON.
  const echo = await fetch(`${url}/echo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"a":1}',
  });
  expect(await echo.json()).toEqual({ a: 1 });
});

it("refuses to register without a handler", async () => {
  await expect(app.register(fastifyWebhook, {} as never)).rejects.toThrow(/needs \{ handler/);
});
