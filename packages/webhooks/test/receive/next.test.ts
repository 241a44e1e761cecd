// Next.js App Router: the exported POST is called with a real `NextRequest` from `next/server`,
// as Next's router calls it. A real `next build` + `next start` takes minutes on CI's two cores.
import { NextRequest } from "next/server.js";
import { expect, it, vi } from "vitest";
import { createWebhookHandler } from "../../src/index.ts";
import { nextWebhook } from "../../src/receive/adapters/next.ts";
import { makeEvent, SECRET, signed } from "./support/events.ts";

function route() {
  const run = vi.fn();
  const handler = createWebhookHandler({
    secrets: SECRET,
    onError: () => {},
    on: { "customer.subscription.updated": run },
  });
  return { POST: nextWebhook(handler), run };
}

it("handles a NextRequest in an App Router route handler", async () => {
  const { POST, run } = route();
  const event = makeEvent("customer.subscription.updated", { id: "sub_1", object: "subscription" });
  const { body, headers } = signed(event);
  const request = new NextRequest("http://localhost:3000/api/webhooks", {
    method: "POST",
    body,
    headers,
  });
  const response = await POST(request);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ received: true });
  expect(run).toHaveBeenCalledWith(expect.objectContaining({ id: event.id }), { attempt: 1 });
});

it("refuses a NextRequest with a bad signature", async () => {
  const { POST, run } = route();
  const { body, headers } = signed(makeEvent("customer.subscription.updated"), "whsec_eHh4eHh4");
  const response = await POST(
    new NextRequest("http://localhost:3000/api/webhooks", { method: "POST", body, headers }),
  );
  expect(response.status).toBe(400);
  expect(run).not.toHaveBeenCalled();
});
