import { describe, expect, it } from "vitest";
import { generateKeyPair, generateSecret, sign, verify } from "../src/index.ts";
import { event, NOW } from "./support.ts";

describe("sign", () => {
  const secret = generateSecret();
  const body = event();

  it("produces both header sets by default, one scheme when asked", () => {
    expect(Object.keys(sign(body, secret, { timestamp: NOW, id: "evt_1" })).sort()).toEqual([
      "stripe-signature",
      "webhook-id",
      "webhook-signature",
      "webhook-timestamp",
    ]);
    expect(Object.keys(sign(body, secret, { scheme: "stripe" }))).toEqual(["stripe-signature"]);
    expect(Object.keys(sign(body, secret, { scheme: "standard" })).sort()).toEqual([
      "webhook-id",
      "webhook-signature",
      "webhook-timestamp",
    ]);
  });

  it("uses the given timestamp and id, and the clock and a random msg_ id otherwise", () => {
    const fixed = sign(body, secret, { timestamp: NOW, id: "evt_1" });
    expect(fixed["stripe-signature"]).toMatch(new RegExp(`^t=${NOW},v1=[0-9a-f]{64}$`));
    expect(fixed["webhook-timestamp"]).toBe(String(NOW));
    expect(fixed["webhook-id"]).toBe("evt_1");
    const before = Math.floor(Date.now() / 1000);
    const defaults = sign(body, secret);
    expect(Number(defaults["webhook-timestamp"])).toBeGreaterThanOrEqual(before);
    expect(defaults["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(sign(body, secret)["webhook-id"]).not.toBe(defaults["webhook-id"]);
  });

  it("signs bytes and text alike", () => {
    const options = { timestamp: NOW, id: "evt_1" };
    expect(sign(Buffer.from(body), secret, options)).toEqual(sign(body, secret, options));
  });

  it("refuses a public key, and schemes its secrets cannot serve", () => {
    const { publicKey, secretKey } = generateKeyPair();
    expect(() => sign(body, publicKey)).toThrow(/whpk_ public key only verifies/);
    expect(() => sign(body, [secret, publicKey])).toThrow(/whpk_/);
    expect(() => sign(body, secretKey, { scheme: "stripe" })).toThrow(/needs a whsec_ secret/);
    expect(() => sign(body, secretKey)).toThrow(/needs a whsec_ secret/);
    expect(sign(body, secretKey, { scheme: "standard" })["webhook-signature"]).toMatch(/^v1a,/);
  });

  it("refuses bad options with a TypeError", () => {
    for (const bad of [
      { timestamp: -1 },
      { timestamp: 1.5 },
      { id: "has.dot" },
      { id: "" },
      { scheme: "svix" },
    ]) {
      expect(() => sign(body, secret, bad as never)).toThrow(TypeError);
    }
    expect(() => sign({} as never, secret)).toThrow(TypeError);
  });
});

describe("generateSecret and generateKeyPair", () => {
  it("make distinct secrets of the documented shape that sign and verify", () => {
    const secrets = new Set(Array.from({ length: 50 }, () => generateSecret()));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
    }
    const { publicKey, secretKey } = generateKeyPair();
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
    // The secret key's second half is the public key (libsodium's layout).
    expect(Buffer.from(secretKey.slice(5), "base64").subarray(32)).toEqual(
      Buffer.from(publicKey.slice(5), "base64"),
    );
    const body = event();
    const headers = sign(body, secretKey, { scheme: "standard", id: "evt_1" });
    expect(verify(body, headers, publicKey).type).toBe("payment_intent.succeeded");
  });
});
