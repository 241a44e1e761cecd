import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { generateSecret, sign } from "../src/index.ts";
import { event, outcome, verifiers } from "./support.ts";

// The real peers, as dev dependencies: what we sign they accept, and what they sign we accept.
const stripe = new Stripe("sk_test_interop");
const now = () => Math.floor(Date.now() / 1000);

describe("what we sign, the peers accept", () => {
  const bodies = [
    event(),
    event("customer.updated", { name: "Zoë 東京 🚀" }),
    event("invoice.paid", { lines: "x".repeat(100_000) }),
  ];

  it("stripe's webhooks.constructEvent accepts our Stripe-Signature, also during a rotation", () => {
    const [current, old] = [generateSecret(), generateSecret()];
    for (const body of bodies) {
      const headers = sign(body, [current, old], { scheme: "both", id: "evt_1" });
      for (const secret of [current, old]) {
        const received = stripe.webhooks.constructEvent(body, headers["stripe-signature"]!, secret);
        expect(received.type).toBe(JSON.parse(body).type);
        const asBuffer = stripe.webhooks.constructEvent(
          Buffer.from(body),
          headers["stripe-signature"]!,
          secret,
        );
        expect(asBuffer.id).toBe("evt_1NG8Du2eZvKYlo2CUI79vXWy");
      }
    }
  });

  it("standardwebhooks' Webhook.verify accepts our webhook-* headers, also during a rotation", () => {
    const [current, old] = [generateSecret(), generateSecret()];
    for (const body of bodies) {
      const headers = sign(body, [current, old], { scheme: "both", id: "evt_1" });
      for (const secret of [current, old]) {
        expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
      }
    }
  });

  it("the peers refuse what we signed once it is tampered with (the check is real)", () => {
    const secret = generateSecret();
    const body = event();
    const headers = sign(body, secret, { id: "evt_1" });
    expect(() =>
      stripe.webhooks.constructEvent(`${body} `, headers["stripe-signature"]!, secret),
    ).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });
});

describe.each(verifiers)("what the peers sign, %s accepts", (_name, check) => {
  const secret = generateSecret();
  const body = event();

  it("stripe's generateTestHeaderString", async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    expect(await outcome(() => check(body, { "stripe-signature": header }, secret))).toBe("ok");
    expect(await outcome(() => check(body, { "stripe-signature": header }, generateSecret()))).toBe(
      "no_matching_signature",
    );
  });

  it("stripe's generateTestHeaderString with a fixed timestamp matches our own signature exactly", () => {
    const timestamp = 1_700_000_000;
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
    expect(sign(body, secret, { scheme: "stripe", timestamp })["stripe-signature"]).toBe(header);
  });

  it("standardwebhooks' Webhook.sign, with the secret with or without whsec_", async () => {
    const at = new Date();
    const signature = new Webhook(secret).sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", at, body);
    const headers = {
      "webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    };
    expect(await outcome(() => check(body, headers, secret))).toBe("ok");
    expect(await outcome(() => check(body, headers, secret.slice("whsec_".length)))).toBe("ok");
    expect(await outcome(() => check(body.replace("2000", "2001"), headers, secret))).toBe(
      "no_matching_signature",
    );
    expect(
      sign(body, secret, { scheme: "standard", id: headers["webhook-id"], timestamp: now() }),
    ).toMatchObject({
      "webhook-signature": expect.stringMatching(/^v1,/),
    });
  });
});
