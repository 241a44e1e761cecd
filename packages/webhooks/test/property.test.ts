import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sign, verify, WebhookVerificationError } from "../src/index.ts";
import { outcome, verifiers } from "./support.ts";

const NOW = 1_700_000_000;
// Any JSON event: a type plus random content, serialized as text.
const eventBody = fc
  .record({ type: fc.stringMatching(/^[a-z_]{1,20}(\.[a-z_]{1,20}){0,3}$/), data: fc.jsonValue() })
  .map((value) => JSON.stringify(value));
const hmacSecret = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) => `whsec_${Buffer.from(bytes).toString("base64")}`);
const scheme = fc.constantFrom("stripe" as const, "standard" as const);
const timestamp = fc.integer({ min: NOW - 300, max: NOW + 300 });

describe.each(verifiers)("%s, properties", (_name, check) => {
  it("sign then verify round-trips for random bodies, secrets, schemes and timestamps", async () => {
    await fc.assert(
      fc.asyncProperty(eventBody, hmacSecret, scheme, timestamp, async (body, secret, s, t) => {
        const headers = sign(body, secret, { scheme: s, timestamp: t, id: "evt_prop" });
        expect(await check(body, headers, secret, { now: NOW })).toEqual(JSON.parse(body));
      }),
      { numRuns: 150 },
    );
  });

  it("any change of one byte of the body fails", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventBody,
        hmacSecret,
        scheme,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, secret, s, position, flip) => {
          const bytes = Buffer.from(body);
          const index = position % bytes.length;
          const headers = sign(bytes, secret, { scheme: s, timestamp: NOW, id: "evt_prop" });
          bytes[index] = bytes[index]! ^ flip;
          expect(await outcome(() => check(bytes, headers, secret, { now: NOW }))).toBe(
            "no_matching_signature",
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("any other timestamp or any other secret fails", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventBody,
        hmacSecret,
        hmacSecret,
        scheme,
        fc.integer({ min: -300, max: 300 }).filter((d) => d !== 0),
        async (body, secret, other, s, delta) => {
          fc.pre(other !== secret);
          const headers = sign(body, secret, { scheme: s, timestamp: NOW, id: "evt_prop" });
          const moved = structuredClone(headers);
          if (s === "stripe")
            moved["stripe-signature"] = moved["stripe-signature"]!.replace(
              `t=${NOW}`,
              `t=${NOW + delta}`,
            );
          else moved["webhook-timestamp"] = String(NOW + delta);
          expect(await outcome(() => check(body, moved, secret, { now: NOW }))).toBe(
            "no_matching_signature",
          );
          expect(await outcome(() => check(body, headers, other, { now: NOW }))).toBe(
            "no_matching_signature",
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("random header strings never throw anything but WebhookVerificationError", async () => {
    const headerValue = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.stringMatching(/^(t=[0-9a-z]{0,12}|v[01a]{1,2}[=,][0-9a-zA-Z+/=]{0,90}|[ ,=]){0,6}$/),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            "stripe-signature": headerValue,
            "webhook-id": headerValue,
            "webhook-timestamp": headerValue,
            "webhook-signature": headerValue,
          },
          { requiredKeys: [] },
        ),
        fc.string({ unit: "binary", maxLength: 100 }),
        scheme,
        async (headers, body, s) => {
          try {
            await check(body, headers, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", {
              now: NOW,
              scheme: s,
            });
          } catch (error) {
            expect(error).toBeInstanceOf(WebhookVerificationError);
            return;
          }
          throw new Error("a random request verified");
        },
      ),
      { numRuns: 300 },
    );
  });
});

it("verify and verifyAsync agree on every random request", async () => {
  const [, asyncCheck] = verifiers[1]!;
  await fc.assert(
    fc.asyncProperty(
      eventBody,
      hmacSecret,
      scheme,
      fc.boolean(),
      async (body, secret, s, tamper) => {
        const headers = sign(body, secret, { scheme: s, timestamp: NOW, id: "evt_prop" });
        const sent = tamper ? `${body} ` : body;
        const sync = await outcome(async () => verify(sent, headers, secret, { now: NOW }));
        expect(await outcome(() => asyncCheck(sent, headers, secret, { now: NOW }))).toBe(sync);
      },
    ),
    { numRuns: 100 },
  );
});
