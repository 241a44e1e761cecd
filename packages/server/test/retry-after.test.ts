import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../src/dispatch/retry-after.ts";

const now = Date.parse("1994-11-06T08:49:00Z");

describe("parseRetryAfter", () => {
  it.each([
    ["7", 7000],
    [" 120 ", 120_000],
    ["0", 0],
    ["Sun, 06 Nov 1994 08:49:37 GMT", 37_000], // IMF-fixdate
    ["Sunday, 06-Nov-94 08:49:37 GMT", 37_000], // RFC 850
    ["Sun Nov  6 08:49:37 1994", 37_000], // asctime, read as GMT whatever the local zone
  ])("reads %j as %d ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it("uses the first value when the header was sent twice", () => {
    expect(parseRetryAfter(["3", "9"], now)).toBe(3000);
  });

  it.each([
    undefined,
    "",
    "-5",
    "1.5",
    "7s",
    "soon",
    "99999999999999999999",
    "Sun, 06 Nov 1994 08:48:00 GMT", // already past
    "2030-01-01T00:00:00Z", // ISO 8601 is not an HTTP-date
  ])("ignores %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
