import { describe, expect, it } from "vitest";
import { generateKeyPair, generateSecret, sign, WebhookVerificationError } from "../src/index.ts";
import { event, NOW, outcome, verifiers } from "./support.ts";

describe.each(verifiers)("%s refuses", (_name, check) => {
  const secret = generateSecret();
  const body = event();
  const options = { now: NOW };
  const at = (timestamp: number, payload = body, scheme: "stripe" | "standard" = "stripe") =>
    sign(payload, secret, { id: "evt_1", timestamp, scheme });

  it("timestamps beyond the tolerance, in the past and in the future, on both schemes", async () => {
    for (const scheme of ["stripe", "standard"] as const) {
      expect(await outcome(() => check(body, at(NOW - 300, body, scheme), secret, options))).toBe(
        "ok",
      );
      expect(await outcome(() => check(body, at(NOW + 300, body, scheme), secret, options))).toBe(
        "ok",
      );
      expect(await outcome(() => check(body, at(NOW - 301, body, scheme), secret, options))).toBe(
        "timestamp_out_of_tolerance",
      );
      // stripe-node accepts any future timestamp; a signature from the future is refused here.
      expect(await outcome(() => check(body, at(NOW + 301, body, scheme), secret, options))).toBe(
        "timestamp_out_of_tolerance",
      );
      const wide = { now: NOW, toleranceSeconds: 3600 };
      expect(await outcome(() => check(body, at(NOW + 3600, body, scheme), secret, wide))).toBe(
        "ok",
      );
    }
  });

  it("says which way the clock is off", async () => {
    await expect(check(body, at(NOW - 1000), secret, options)).rejects.toThrow(
      /1000 s in the past/,
    );
    await expect(check(body, at(NOW + 1000), secret, options)).rejects.toThrow(
      /1000 s in the future/,
    );
  });

  it("a body changed by one byte anywhere", async () => {
    const headers = at(NOW);
    for (const index of [0, Math.floor(body.length / 2), body.length - 1]) {
      const bytes = Buffer.from(body);
      bytes[index] = bytes[index]! ^ 1;
      expect(await outcome(() => check(bytes, headers, secret, options))).toBe(
        "no_matching_signature",
      );
    }
    expect(await outcome(() => check(`${body}\n`, headers, secret, options))).toBe(
      "no_matching_signature",
    );
  });

  it("a re-serialized body, and tells the user to pass the raw bytes", async () => {
    const reserialized = JSON.stringify(JSON.parse(body));
    await expect(check(reserialized, at(NOW), secret, options)).rejects.toThrow(
      /re-serialized.*raw bytes/,
    );
  });

  it("an already parsed body, before looking at any signature", async () => {
    const parsed = JSON.parse(body) as unknown as string;
    await expect(check(parsed, at(NOW), secret, options)).rejects.toMatchObject({
      code: "invalid_payload",
      message: expect.stringMatching(/already parsed.*raw request body/),
    });
    for (const notBody of [null, undefined, 42, [1, 2]]) {
      expect(
        await outcome(() => check(notBody as unknown as string, at(NOW), secret, options)),
      ).toBe("invalid_payload");
    }
  });

  it("a correctly signed body that is not a JSON event with invalid_payload, not a signature error", async () => {
    for (const payload of [
      "",
      "not json",
      "[]",
      "null",
      '"text"',
      '{"id":"evt_1"}',
      '{"type":7}',
    ]) {
      for (const scheme of ["stripe", "standard"] as const) {
        expect(await outcome(() => check(payload, at(NOW, payload, scheme), secret, options))).toBe(
          "invalid_payload",
        );
      }
    }
  });

  it("a correctly signed body that is not UTF-8", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"type":"x","name":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expect(
      await outcome(() => check(bytes, at(NOW, bytes as unknown as string), secret, options)),
    ).toBe("invalid_payload");
  });

  it("nothing else for unicode bodies: text and UTF-8 bytes verify alike", async () => {
    const unicode = event("customer.updated", { name: "Zoë Ødegaard 東京 🚀 \u0000" });
    const headers = at(NOW, unicode);
    expect(await outcome(() => check(unicode, headers, secret, options))).toBe("ok");
    expect(await outcome(() => check(Buffer.from(unicode), headers, secret, options))).toBe("ok");
  });

  it("nothing else for a 1 MB body", async () => {
    const large = event("invoice.paid", { lines: "x".repeat(1024 * 1024) });
    expect(await outcome(() => check(large, at(NOW, large), secret, options))).toBe("ok");
    expect(
      await outcome(() => check(`${large.slice(0, -1)}  }`, at(NOW, large), secret, options)),
    ).toBe("no_matching_signature");
  });

  it("missing headers, naming what is missing", async () => {
    expect(await outcome(() => check(body, {}, secret, options))).toBe("missing_header");
    const standard = at(NOW, body, "standard");
    for (const name of ["webhook-id", "webhook-timestamp"]) {
      const headers: Record<string, string | undefined> = { ...standard };
      delete headers[name];
      await expect(check(body, headers, secret, options)).rejects.toMatchObject({
        code: "missing_header",
        message: expect.stringContaining(name),
      });
    }
    expect(await outcome(() => check(body, null as never, secret, options))).toBe("missing_header");
  });

  it("timestamps that are not plain decimal digits", async () => {
    const v1 = at(NOW)["stripe-signature"]!.split(",")[1];
    for (const t of [
      "abc",
      "",
      "-1700000000",
      "+1700000000",
      "1.7e9",
      "0x6553F100",
      " 1700000000x",
      "1".repeat(13),
    ]) {
      expect(
        await outcome(() => check(body, { "stripe-signature": `t=${t},${v1}` }, secret, options)),
      ).toBe("malformed_header");
      const standard = { ...at(NOW, body, "standard"), "webhook-timestamp": t || "x" };
      expect(await outcome(() => check(body, standard, secret, options))).toBe("malformed_header");
    }
  });

  it("v0 and unknown schemes, even when their value is the right HMAC", async () => {
    const hex = at(NOW)["stripe-signature"]!.split(",v1=")[1];
    for (const scheme of ["v0", "v2", "V1", "v1 "]) {
      const headers = { "stripe-signature": `t=${NOW},${scheme}=${hex}` };
      expect(await outcome(() => check(body, headers, secret, options))).toBe(
        "no_matching_signature",
      );
    }
    const b64 = at(NOW, body, "standard")["webhook-signature"]!.slice(3);
    const standard = { ...at(NOW, body, "standard"), "webhook-signature": `v2,${b64} v1a,${b64}` };
    expect(await outcome(() => check(body, standard, secret, options))).toBe(
      "no_matching_signature",
    );
  });

  it("webhook-signature entries separated by anything but spaces, as the Standard Webhooks libraries do", async () => {
    const signed = at(NOW, body, "standard");
    const valid = signed["webhook-signature"]!;
    const wrong = sign(body, generateSecret(), { id: "evt_1", timestamp: NOW, scheme: "standard" })[
      "webhook-signature"
    ]!;
    const withSignature = (value: string) => ({ ...signed, "webhook-signature": value });
    expect(
      await outcome(() => check(body, withSignature(`${wrong} ${valid}`), secret, options)),
    ).toBe("ok");
    expect(
      await outcome(() => check(body, withSignature(`${wrong}  ${valid}`), secret, options)),
    ).toBe("ok");
    for (const separator of ["\t", "\n", "\u00a0", " \t"]) {
      const header = withSignature(`${wrong}${separator}${valid}`);
      expect(
        await outcome(() => check(body, header, secret, options)),
        JSON.stringify(separator),
      ).toBe("no_matching_signature");
    }
  });

  it("uppercase hex, which Stripe never sends", async () => {
    const header = at(NOW)["stripe-signature"]!.replace(
      /v1=(.*)$/,
      (_, hex: string) => `v1=${hex.toUpperCase()}`,
    );
    expect(await outcome(() => check(body, { "stripe-signature": header }, secret, options))).toBe(
      "no_matching_signature",
    );
  });

  it("garbage headers with a WebhookVerificationError, never anything else", async () => {
    const garbage = [
      "",
      ",,,",
      "t",
      "=",
      "t=",
      "v1=abc",
      "t=1,t=2",
      "\u0000",
      "t=1700000000,junk",
      "🚀=🚀",
    ];
    for (const value of garbage) {
      const result = await outcome(() =>
        check(body, { "stripe-signature": value }, secret, options),
      );
      expect([
        "malformed_header",
        "missing_header",
        "timestamp_out_of_tolerance",
        "no_matching_signature",
      ]).toContain(result);
      const standard = { ...at(NOW, body, "standard"), "webhook-signature": value };
      const standardResult = await outcome(() => check(body, standard, secret, options));
      expect(["malformed_header", "missing_header", "no_matching_signature"]).toContain(
        standardResult,
      );
    }
  });

  it("webhook-id values that could shift the signed content", async () => {
    for (const id of ["evt.1", "evt 1", "x".repeat(257)]) {
      const headers = { ...at(NOW, body, "standard"), "webhook-id": id };
      expect(await outcome(() => check(body, headers, secret, options))).toBe("malformed_header");
    }
  });

  it("invalid secrets with invalid_secret", async () => {
    const headers = at(NOW);
    for (const bad of [
      "",
      [],
      [""],
      42,
      null,
      "whpk_notbase64!",
      "whpk_AAAA",
      "whsk_AAAA",
      "whsec_",
    ]) {
      expect(await outcome(() => check(body, headers, bad as string, options))).toBe(
        "invalid_secret",
      );
    }
  });

  it("a whsk_ secret key in place of the public key, pointing to the public key", async () => {
    const { secretKey } = generateKeyPair();
    const headers = sign(body, secretKey, { id: "evt_1", timestamp: NOW, scheme: "standard" });
    await expect(check(body, headers, secretKey, options)).rejects.toMatchObject({
      code: "invalid_secret",
      message: expect.stringContaining("whpk_"),
    });
  });

  it("an ed25519 public key for Stripe's scheme", async () => {
    const { publicKey } = generateKeyPair();
    expect(await outcome(() => check(body, at(NOW), publicKey, options))).toBe("invalid_secret");
  });

  it("bad options with a TypeError: a programming mistake, not a bad request", async () => {
    const headers = at(NOW);
    for (const bad of [
      { toleranceSeconds: -1 },
      { toleranceSeconds: Number.NaN },
      { scheme: "svix" },
      { now: Number.NaN },
    ]) {
      await expect(check(body, headers, secret, bad as never)).rejects.toThrow(TypeError);
    }
  });

  it("with errors that are WebhookVerificationError instances carrying a stable code", async () => {
    const error = await check(body, {}, secret, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toBeInstanceOf(Error);
    expect((error as WebhookVerificationError).name).toBe("WebhookVerificationError");
  });
});
