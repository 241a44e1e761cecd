import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, expect, it, vi } from "vitest";
import { createWebhookHandler } from "../../src/index.ts";
import { honoWebhook } from "../../src/receive/adapters/hono.ts";
import { deliver, makeEvent, SECRET, signed } from "./support/events.ts";

let server: ServerType | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

function start(app: Hono): Promise<string> {
  return new Promise((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
}

function disputeHandler() {
  const run = vi.fn();
  const handler = createWebhookHandler({
    secrets: SECRET,
    onError: () => {},
    on: { "charge.dispute.created": run },
  });
  return { handler, run };
}

it("handles webhooks on a Hono route served by @hono/node-server", async () => {
  const { handler, run } = disputeHandler();
  const app = new Hono().post("/webhooks", honoWebhook(handler));
  const url = await start(app);
  const event = makeEvent("charge.dispute.created", { id: "dp_1", object: "dispute" });
  expect(await deliver(`${url}/webhooks`, event)).toEqual({
    status: 200,
    body: { received: true },
  });
  expect(run).toHaveBeenCalledOnce();
});

it("explains the fix when a middleware read the body first", async () => {
  const { handler, run } = disputeHandler();
  const app = new Hono();
  app.use(async (c, next) => {
    await c.req.json();
    await next();
  });
  app.post("/webhooks", honoWebhook(handler));
  const url = await start(app);
  const response = await deliver(`${url}/webhooks`, makeEvent("charge.dispute.created"));
  expect(response.status).toBe(500);
  expect(response.body).toMatchObject({ error: { code: "body_already_read" } });
  expect(run).not.toHaveBeenCalled();
});

it("refuses a wrong signature on node-server with the same answer as the web path", async () => {
  const { handler, run } = disputeHandler();
  const app = new Hono().post("/webhooks", honoWebhook(handler));
  const url = await start(app);
  const event = makeEvent("charge.dispute.created");
  const other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  const overHttp = await deliver(`${url}/webhooks`, event, other);
  const { body, headers } = signed(event, other);
  const web = await handler(new Request(`${url}/webhooks`, { method: "POST", body, headers }));
  expect(overHttp).toEqual({ status: 400, body: await web.json() });
  expect(overHttp.body).toMatchObject({ error: { code: "no_matching_signature" } });
  expect(run).not.toHaveBeenCalled();
});
