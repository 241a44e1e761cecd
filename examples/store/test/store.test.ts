import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "@hookline/webhooks";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type Store, startStore } from "../src/server.ts";

const SECRET = "whsec_c3RvcmUgc2VjcmV0IGZvciB0ZXN0cw==";
const NOW = Math.floor(Date.now() / 1000);
let sequence = 0;

function event(type: string, object: Record<string, unknown>, created = NOW) {
  sequence += 1;
  return { id: `evt_store_${sequence}`, object: "event", type, created, data: { object } };
}

/** Delivers as a sender does: the same bytes, signed, retried until it gets a 2xx. */
async function deliver(store: Store, payload: { id: string }): Promise<number> {
  const body = JSON.stringify(payload);
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${store.url}/webhooks`, {
      method: "POST",
      body,
      headers: { ...sign(body, SECRET, { id: payload.id }), "content-type": "application/json" },
    });
    if (response.ok) return response.status;
    if (attempt === 20) throw new Error(`${payload.id}: still ${response.status}`);
  }
}

/** Every event `copies` times, all at once, in the given order. */
const flood = (store: Store, events: { id: string }[], copies: number) =>
  Promise.all(events.flatMap((e) => Array.from({ length: copies }, () => deliver(store, e))));

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "hookline-store-"));
  store = await startStore({ database: join(dir, "store.db"), secrets: SECRET });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it("fulfils an order once and emails once, however many copies arrive at once", async () => {
  store.shop.placeOrder("ord_1");
  store.shop.placeOrder("ord_2");
  const paid = event("payment_intent.succeeded", {
    id: "pi_1",
    object: "payment_intent",
    metadata: { order_id: "ord_1" },
  });
  const failed = event("payment_intent.payment_failed", {
    id: "pi_2",
    object: "payment_intent",
    customer: "cus_2",
    receipt_email: "ada@example.com",
    last_payment_error: { type: "card_error", message: "Your card was declined." },
    metadata: { order_id: "ord_2" },
  });
  await flood(store, [paid, failed], 8);
  await store.settled();

  expect(store.shop.order("ord_1")).toEqual({ id: "ord_1", status: "paid", shipments: 1 });
  expect(store.shop.order("ord_2")).toEqual({ id: "ord_2", status: "pending", shipments: 0 });
  expect(store.shop.emails()).toEqual([
    { recipient: "ada@example.com", subject: "Payment failed: Your card was declined." },
  ]);
});

it("ends with the newest subscription and dispute state when events arrive out of order", async () => {
  const subscription = (status: string, created: number, type = "customer.subscription.updated") =>
    event(type, { id: "sub_1", object: "subscription", customer: "cus_1", status }, created);
  const created = subscription("trialing", NOW - 30, "customer.subscription.created");
  const active = subscription("active", NOW - 20);
  const pastDue = subscription("past_due", NOW - 10);
  const canceled = subscription("canceled", NOW, "customer.subscription.deleted");

  const dispute = (status: string, created: number, type: string) =>
    event(type, { id: "dp_1", object: "dispute", charge: "ch_1", amount: 5000, status }, created);
  const opened = dispute("needs_response", NOW - 20, "charge.dispute.created");
  const review = dispute("under_review", NOW - 10, "charge.dispute.updated");
  const won = dispute("won", NOW, "charge.dispute.closed");

  // Newest first, then the rest, each several times and all at once.
  await flood(store, [canceled, won], 3);
  await store.settled();
  await flood(store, [pastDue, created, review, active, opened], 3);
  await store.settled();

  expect(store.shop.subscription("sub_1")).toEqual({
    id: "sub_1",
    customer: "cus_1",
    status: "canceled",
  });
  expect(store.shop.dispute("dp_1")).toMatchObject({ status: "won", amount: 5000 });
});

it("refuses a delivery signed with another secret and changes nothing", async () => {
  store.shop.placeOrder("ord_3");
  const body = JSON.stringify(
    event("payment_intent.succeeded", { id: "pi_3", metadata: { order_id: "ord_3" } }),
  );
  const response = await fetch(`${store.url}/webhooks`, {
    method: "POST",
    body,
    headers: sign(body, "whsec_YW5vdGhlciBzZWNyZXQ="),
  });
  expect(response.status).toBe(400);
  await store.settled();
  expect(store.shop.order("ord_3")).toMatchObject({ status: "pending", shipments: 0 });
});
