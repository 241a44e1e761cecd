import { afterEach, describe, expect, it } from "vitest";
import { createWebhookHandler, sign } from "../../src/index.ts";
import { toNodeListener } from "../../src/receive/adapters/node.ts";
import { makeEvent, SECRET, signed } from "./support/events.ts";
import { type Listening, listen } from "./support/http.ts";

const servers: Listening[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A fresh handler served twice: through the Node path, and through web Request/Response. */
async function bothPaths() {
  const make = () =>
    createWebhookHandler({
      secrets: SECRET,
      onError: () => {},
      onUnhandled: () => {},
      on: {
        "invoice.paid": () => {},
        "invoice.payment_failed": () => {
          throw new Error("down");
        },
      },
    });
  const node = await listen(toNodeListener(make()));
  const web = make();
  // A wrapper hides the handler's raw entry, so this listener builds web objects.
  const viaWeb = await listen(toNodeListener((request: Request) => web(request)));
  servers.push(node, viaWeb);
  return [node.url, viaWeb.url] as const;
}

async function exchange(url: string, init: RequestInit) {
  const response = await fetch(url, init);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    allow: response.headers.get("allow"),
    length: response.headers.get("content-length"),
    body: await response.text(),
  };
}

describe("the Node path without web Request/Response objects", () => {
  it("answers every kind of request exactly as the web path does", async () => {
    const [node, viaWeb] = await bothPaths();
    const paid = signed(makeEvent("invoice.paid"));
    const failing = signed(makeEvent("invoice.payment_failed"));
    const unhandled = signed(makeEvent("customer.created"));
    const noId = JSON.stringify({ type: "invoice.paid" });
    const notUtf8 = new Uint8Array([0x7b, 0xff, 0x7d]);
    const requests: RequestInit[] = [
      { method: "POST", body: paid.body, headers: paid.headers },
      { method: "POST", body: paid.body, headers: paid.headers }, // the duplicate
      { method: "POST", body: failing.body, headers: failing.headers },
      { method: "POST", body: unhandled.body, headers: unhandled.headers },
      { method: "POST", body: `${paid.body} `, headers: paid.headers },
      { method: "POST", body: paid.body, headers: { "content-type": "application/json" } },
      { method: "POST", body: noId, headers: sign(noId, SECRET, { id: "evt_1" }) },
      { method: "POST", body: notUtf8, headers: sign(notUtf8, SECRET, { id: "evt_2" }) },
      { method: "GET" },
      { method: "PUT", body: paid.body, headers: paid.headers },
    ];
    const seen = new Set<number>();
    for (const init of requests) {
      const fast = await exchange(node, init);
      expect(fast).toEqual(await exchange(viaWeb, init));
      seen.add(fast.status);
    }
    // The list covers success, duplicates, refusals, failures and wrong methods.
    expect([...seen].sort()).toEqual([200, 400, 405, 500]);
  });

  it("still serves a plain fetch-style function through web objects", async () => {
    const server = await listen(
      toNodeListener(async (request: Request) =>
        Response.json({ got: await request.text() }, { status: 201 }),
      ),
    );
    servers.push(server);
    const response = await fetch(server.url, { method: "POST", body: "hello" });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ got: "hello" });
  });
});
