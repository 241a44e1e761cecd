import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

const stripe = new Stripe("sk_test_e2e");

describe("end to end: events reach receivers, signed as Stripe and Standard Webhooks verify them", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.stop();
  });

  it("delivers every event to every subscribed endpoint, byte-identical to the event the API returned", async () => {
    const receiver = await startReceiver();
    const other = await startReceiver();
    try {
      const all = await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
      });
      const invoices = await server.api("POST", "/v1/webhook_endpoints", {
        url: other.url,
        enabled_events: ["invoice.*"],
      });
      expect(all.status).toBe(200);
      expect(invoices.body.secret).toMatch(/^whsec_/);
      const sent: string[] = [];
      for (let i = 0; i < 30; i++) {
        const type = i % 3 === 0 ? "invoice.paid" : "payment_intent.succeeded";
        const created = await server.api("POST", "/v1/events", {
          type,
          data: { object: { id: `obj_${i}`, amount: i } },
        });
        expect(created.status).toBe(200);
        expect(created.body).toMatchObject({
          object: "event",
          type,
          pending_webhooks: type === "invoice.paid" ? 2 : 1,
        });
        sent.push(JSON.stringify(created.body));
      }
      await waitFor(
        () => receiver.received.length === 30 && other.received.length === 10,
        10_000,
        "all deliveries",
      );
      expect(receiver.received.map((r) => r.body).sort()).toEqual([...sent].sort());
      for (const r of receiver.received) {
        const event = stripe.webhooks.constructEvent(
          r.body,
          r.headers["stripe-signature"] as string,
          all.body.secret,
        );
        expect(
          new Webhook(all.body.secret).verify(r.body, r.headers as Record<string, string>),
        ).toEqual(event);
        expect(r.headers["webhook-id"]).toBe(event.id);
        expect(r.headers["content-type"]).toBe("application/json");
      }
      for (const r of other.received) {
        expect(
          stripe.webhooks.constructEvent(
            r.body,
            r.headers["stripe-signature"] as string,
            invoices.body.secret,
          ).type,
        ).toBe("invoice.paid");
      }
      // Received is not yet recorded: the outcomes are committed once the answers are back.
      await waitFor(
        async () =>
          (await server.api("GET", "/v1/deliveries?status=succeeded&limit=100")).body.data
            .length === 40,
        10_000,
        "40 deliveries recorded as succeeded",
      );
    } finally {
      await receiver.close();
      await other.close();
    }
  });

  it("keeps every delivery verifiable through a secret rotation, with the old and the new secret", async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
      });
      const oldSecret = endpoint.body.secret as string;
      await server.api("POST", "/v1/events", {
        type: "customer.updated",
        data: { object: { id: "cus_1" } },
      });
      await waitFor(() => receiver.received.length === 1);
      const rotated = await server.api(
        "POST",
        `/v1/webhook_endpoints/${endpoint.body.id}/rotate_secret`,
        { expires_in: "1h" },
      );
      expect(rotated.status).toBe(200);
      const newSecret = rotated.body.secret as string;
      expect(newSecret).not.toBe(oldSecret);
      expect(rotated.body.previous_secret_expires_at).toBeGreaterThan(Date.now() / 1000 + 3500);
      for (let i = 0; i < 5; i++) {
        await server.api("POST", "/v1/events", {
          type: "customer.updated",
          data: { object: { id: `cus_${i}` } },
        });
      }
      await waitFor(() => receiver.received.length === 6);
      for (const r of receiver.received.slice(1)) {
        const signature = r.headers["stripe-signature"] as string;
        expect(signature.match(/v1=/g)).toHaveLength(2);
        for (const secret of [oldSecret, newSecret]) {
          expect(stripe.webhooks.constructEvent(r.body, signature, secret).type).toBe(
            "customer.updated",
          );
          expect(
            new Webhook(secret).verify(r.body, r.headers as Record<string, string>),
          ).toBeTruthy();
        }
      }
      // expires_in 0 ends the old secret at once.
      await server.api("POST", `/v1/webhook_endpoints/${endpoint.body.id}/rotate_secret`, {
        expires_in: 0,
      });
      await server.api("POST", "/v1/events", {
        type: "customer.updated",
        data: { object: { id: "cus_x" } },
      });
      await waitFor(() => receiver.received.length === 7);
      expect(
        (receiver.received[6]!.headers["stripe-signature"] as string).match(/v1=/g),
      ).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("sends one scheme only when the endpoint opted into it", async () => {
    const receiver = await startReceiver();
    try {
      await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
        signature_schemes: "standard",
      });
      await server.api("POST", "/v1/events", { type: "charge.succeeded", data: { object: {} } });
      await waitFor(() => receiver.received.length === 1);
      expect(receiver.received[0]!.headers["stripe-signature"]).toBeUndefined();
      expect(receiver.received[0]!.headers["webhook-signature"]).toMatch(/^v1,/);
    } finally {
      await receiver.close();
    }
  });

  it("delivers with an imported secret, so receivers keep their configuration", async () => {
    const receiver = await startReceiver();
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    try {
      const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
        secret,
      });
      expect(endpoint.body.secret).toBe(secret);
      await server.api("POST", "/v1/events", { type: "charge.succeeded", data: { object: {} } });
      await waitFor(() => receiver.received.length === 1);
      const r = receiver.received[0]!;
      expect(
        stripe.webhooks.constructEvent(r.body, r.headers["stripe-signature"] as string, secret)
          .type,
      ).toBe("charge.succeeded");
    } finally {
      await receiver.close();
    }
  });

  it("returns the same event for a replayed Idempotency-Key and fans out once; another body is a 409", async () => {
    const receiver = await startReceiver();
    try {
      await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
      });
      const body = { type: "invoice.paid", data: { object: { id: "in_1" } } };
      const first = await server.api("POST", "/v1/events", body, { "idempotency-key": "key-1" });
      const again = await server.api("POST", "/v1/events", body, { "idempotency-key": "key-1" });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(first.body.request.idempotency_key).toBe("key-1");
      const conflict = await server.api(
        "POST",
        "/v1/events",
        { ...body, type: "invoice.voided" },
        { "idempotency-key": "key-1" },
      );
      expect(conflict.status).toBe(409);
      expect(conflict.body.error).toMatchObject({
        type: "idempotency_error",
        code: "idempotency_key_in_use",
      });
      await waitFor(() => receiver.received.length === 1);
      const events = await server.api("GET", "/v1/events");
      expect(events.body.data).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("answers /healthz and /readyz without a key", async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({
      status: "ok",
      database: true,
      migrations: true,
      store: "up",
      dispatcher: true,
    });
  });
});
