import { describe, expect, it } from "vitest";
import { generateKeyPair, generateSecret, sign } from "../src/index.ts";
import { event, NOW, outcome, verifiers } from "./support.ts";

describe.each(verifiers)("%s", (_name, check) => {
  const secret = generateSecret();
  const body = event();
  const options = { now: NOW };
  const signed = sign(body, secret, { id: "evt_1", timestamp: NOW });
  const stripeOnly = { "stripe-signature": signed["stripe-signature"]! };
  const standardOnly = {
    "webhook-id": signed["webhook-id"]!,
    "webhook-timestamp": signed["webhook-timestamp"]!,
    "webhook-signature": signed["webhook-signature"]!,
  };

  it("returns the parsed event for a valid request", async () => {
    const result = await check(body, signed, secret, options);
    expect(result).toEqual(JSON.parse(body));
  });

  it("verifies either scheme alone, and each pinned scheme refuses the other's headers", async () => {
    expect(await outcome(() => check(body, stripeOnly, secret, options))).toBe("ok");
    expect(await outcome(() => check(body, standardOnly, secret, options))).toBe("ok");
    const stripe = { ...options, scheme: "stripe" as const };
    const standard = { ...options, scheme: "standard" as const };
    expect(await outcome(() => check(body, stripeOnly, secret, stripe))).toBe("ok");
    expect(await outcome(() => check(body, standardOnly, secret, standard))).toBe("ok");
    expect(await outcome(() => check(body, standardOnly, secret, stripe))).toBe("missing_header");
    expect(await outcome(() => check(body, stripeOnly, secret, standard))).toBe("missing_header");
  });

  it("prefers the Standard Webhooks headers when both sets are present", async () => {
    // A broken Stripe header beside a valid Standard set: auto must have used the Standard set.
    const headers = { ...standardOnly, "stripe-signature": "garbage" };
    expect(await outcome(() => check(body, headers, secret, options))).toBe("ok");
    const pinned = { ...options, scheme: "stripe" as const };
    expect(await outcome(() => check(body, headers, secret, pinned))).toBe("malformed_header");
  });

  it("accepts Svix's svix-* header names", async () => {
    const headers = {
      "svix-id": standardOnly["webhook-id"],
      "svix-timestamp": standardOnly["webhook-timestamp"],
      "svix-signature": standardOnly["webhook-signature"],
    };
    expect(await outcome(() => check(body, headers, secret, options))).toBe("ok");
  });

  it("reads header names case-insensitively, from a Headers object or a record", async () => {
    const shouted = {
      "Stripe-Signature": stripeOnly["stripe-signature"],
    };
    expect(await outcome(() => check(body, shouted, secret, options))).toBe("ok");
    expect(await outcome(() => check(body, new Headers(standardOnly), secret, options))).toBe("ok");
    const mixed = {
      "Webhook-Id": standardOnly["webhook-id"],
      "WEBHOOK-TIMESTAMP": standardOnly["webhook-timestamp"],
      "Webhook-Signature": standardOnly["webhook-signature"],
    };
    expect(await outcome(() => check(body, mixed, secret, options))).toBe("ok");
  });

  it("accepts any of several secrets (rotation, test and live)", async () => {
    const other = generateSecret();
    expect(await outcome(() => check(body, signed, [other, secret], options))).toBe("ok");
    expect(await outcome(() => check(body, signed, [secret, other], options))).toBe("ok");
    expect(await outcome(() => check(body, signed, [other], options))).toBe(
      "no_matching_signature",
    );
  });

  it("accepts a request signed by an old and a new secret with only one of them", async () => {
    const old = generateSecret();
    const rotating = sign(body, [secret, old], { id: "evt_1", timestamp: NOW });
    expect(rotating["stripe-signature"]!.match(/v1=/g)).toHaveLength(2);
    expect(rotating["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const scheme of ["stripe", "standard"] as const) {
      expect(await outcome(() => check(body, rotating, old, { ...options, scheme }))).toBe("ok");
      expect(await outcome(() => check(body, rotating, secret, { ...options, scheme }))).toBe("ok");
    }
  });

  it("accepts several signatures where only the last one matches", async () => {
    const decoyStripe = "a".repeat(64);
    const decoyStandard = `v1,${Buffer.alloc(32, 7).toString("base64")}`;
    const stripeSig = stripeOnly["stripe-signature"].split(",v1=")[1];
    const headers = {
      "stripe-signature": `t=${NOW},v1=${decoyStripe},v0=${decoyStripe},v1=${stripeSig}`,
    };
    expect(await outcome(() => check(body, headers, secret, options))).toBe("ok");
    const standard = {
      ...standardOnly,
      "webhook-signature": `${decoyStandard} v2,abc ${standardOnly["webhook-signature"]}`,
    };
    expect(await outcome(() => check(body, standard, secret, options))).toBe("ok");
  });

  it("accepts repeated headers, as arrays or joined by fetch", async () => {
    const [first, second] = [generateSecret(), generateSecret()];
    const a = sign(body, first, { id: "evt_1", timestamp: NOW, scheme: "standard" });
    const b = sign(body, second, { id: "evt_1", timestamp: NOW, scheme: "standard" });
    const asArray = {
      ...a,
      "webhook-signature": [a["webhook-signature"]!, b["webhook-signature"]!],
    };
    expect(await outcome(() => check(body, asArray, second, options))).toBe("ok");
    const joined = new Headers(a);
    joined.append("webhook-signature", b["webhook-signature"]!);
    expect(await outcome(() => check(body, joined, second, options))).toBe("ok");
    const s1 = sign(body, first, { timestamp: NOW, scheme: "stripe" })["stripe-signature"]!;
    const s2 = sign(body, second, { timestamp: NOW, scheme: "stripe" })["stripe-signature"]!;
    expect(
      await outcome(() => check(body, { "stripe-signature": [s1, s2] }, second, options)),
    ).toBe("ok");
  });

  it("verifies ed25519 (v1a) signatures with the public key", async () => {
    const { publicKey, secretKey } = generateKeyPair();
    const headers = sign(body, [secretKey, secret], {
      id: "evt_1",
      timestamp: NOW,
      scheme: "standard",
    });
    expect(headers["webhook-signature"]).toMatch(/^v1a,\S+ v1,\S+$/);
    expect(await outcome(() => check(body, headers, publicKey, options))).toBe("ok");
    expect(await outcome(() => check(body, headers, secret, options))).toBe("ok");
    const stranger = generateKeyPair().publicKey;
    expect(await outcome(() => check(body, headers, stranger, options))).toBe(
      "no_matching_signature",
    );
    expect(await outcome(() => check(`${body} `, headers, publicKey, options))).toBe(
      "no_matching_signature",
    );
  });

  it("accepts an ArrayBuffer body, as fetch's request.arrayBuffer() returns", async () => {
    const bytes = new TextEncoder().encode(body);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(await outcome(() => check(buffer, signed, secret, options))).toBe("ok");
  });
});
