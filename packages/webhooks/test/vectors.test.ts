import { describe, expect, it } from "vitest";
import { sign } from "../src/index.ts";
import { outcome, verifiers } from "./support.ts";

// Known answers, each from an implementation other than ours.
const BODY = '{\n  "id": "evt_1",\n  "object": "event",\n  "type": "payment_intent.succeeded"\n}';

// Standard Webhooks specification / Svix documentation test vector ("Verifying payloads
// manually"); repeated in the reference libraries' test suites.
const standardVector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

// Computed with Python's hmac module (CPython 3.11): hmac.new(key, f"{t}.{body}", sha256).
const stripeVector = {
  secret: "whsec_test_secret",
  timestamp: 1614265330,
  signature: "3e15c153e690654778b96b921f6cb927e22c38a8f47a9924728f4ac62adbd510",
  unicodeBody: '{"type":"customer.updated","name":"Zoë 東京 🚀"}',
  unicodeSignature: "c43e5616716e3512fbf50d932817ed76942565bbff110ce0367b4a9cf37009e9",
};
// The same tool, Standard Webhooks scheme, the spec's secret over BODY.
const standardEventSignature = "v1,iBy7L+ZnrNH/+itQ6iOFWYKHF9xZ6OqbaMBxPU1vfVI=";

// RFC 8032 section 7.1, TEST 1: an ed25519 seed and the public key it derives.
const rfc8032 = {
  seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
  publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
};
const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

describe("known-answer vectors", () => {
  it("signs the Standard Webhooks specification vector exactly", () => {
    const headers = sign(standardVector.body, standardVector.secret, {
      scheme: "standard",
      id: standardVector.id,
      timestamp: standardVector.timestamp,
    });
    expect(headers["webhook-signature"]).toBe(standardVector.signature);
  });

  it("signs the independently computed Stripe and Standard vectors exactly", () => {
    const stripe = sign(BODY, stripeVector.secret, {
      scheme: "stripe",
      timestamp: stripeVector.timestamp,
    });
    expect(stripe["stripe-signature"]).toBe(`t=1614265330,v1=${stripeVector.signature}`);
    const unicode = sign(stripeVector.unicodeBody, stripeVector.secret, {
      scheme: "stripe",
      timestamp: stripeVector.timestamp,
    });
    expect(unicode["stripe-signature"]).toBe(`t=1614265330,v1=${stripeVector.unicodeSignature}`);
    const standard = sign(BODY, standardVector.secret, {
      scheme: "standard",
      id: standardVector.id,
      timestamp: standardVector.timestamp,
    });
    expect(standard["webhook-signature"]).toBe(standardEventSignature);
  });

  describe.each(verifiers)("%s", (_name, check) => {
    const now = standardVector.timestamp;

    it("verifies the specification vector's signature, then refuses its body as no event", async () => {
      const headers = {
        "webhook-id": standardVector.id,
        "webhook-timestamp": String(standardVector.timestamp),
        "webhook-signature": standardVector.signature,
      };
      // The vector's body {"test": …} has no "type": a valid signature over a non-event body
      // must say invalid_payload, which proves the signature itself matched.
      expect(
        await outcome(() => check(standardVector.body, headers, standardVector.secret, { now })),
      ).toBe("invalid_payload");
      const wrongSecret = "whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==";
      expect(await outcome(() => check(standardVector.body, headers, wrongSecret, { now }))).toBe(
        "no_matching_signature",
      );
    });

    it("verifies the Stripe vectors, as text and as bytes", async () => {
      const headers = { "stripe-signature": `t=1614265330,v1=${stripeVector.signature}` };
      expect(await outcome(() => check(BODY, headers, stripeVector.secret, { now }))).toBe("ok");
      expect(
        await outcome(() => check(Buffer.from(BODY), headers, stripeVector.secret, { now })),
      ).toBe("ok");
      const unicode = { "stripe-signature": `t=1614265330,v1=${stripeVector.unicodeSignature}` };
      const bytes = new TextEncoder().encode(stripeVector.unicodeBody);
      expect(
        await outcome(() => check(stripeVector.unicodeBody, unicode, stripeVector.secret, { now })),
      ).toBe("ok");
      expect(await outcome(() => check(bytes, unicode, stripeVector.secret, { now }))).toBe("ok");
    });

    it("verifies the Standard vector over an event body with the secret with or without whsec_", async () => {
      const headers = {
        "webhook-id": standardVector.id,
        "webhook-timestamp": String(standardVector.timestamp),
        "webhook-signature": standardEventSignature,
      };
      expect(await outcome(() => check(BODY, headers, standardVector.secret, { now }))).toBe("ok");
      const bare = standardVector.secret.slice("whsec_".length);
      expect(await outcome(() => check(BODY, headers, bare, { now }))).toBe("ok");
    });

    it("reads ed25519 keys in the RFC 8032 layout (seed, seed + public key, public key)", async () => {
      const publicKey = `whpk_${hexToBase64(rfc8032.publicKey)}`;
      for (const secretKey of [
        `whsk_${hexToBase64(rfc8032.seed)}`,
        `whsk_${hexToBase64(rfc8032.seed + rfc8032.publicKey)}`,
      ]) {
        const headers = sign(BODY, secretKey, { scheme: "standard", id: "evt_1", timestamp: now });
        expect(headers["webhook-signature"]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
        expect(await outcome(() => check(BODY, headers, publicKey, { now }))).toBe("ok");
      }
    });
  });
});
