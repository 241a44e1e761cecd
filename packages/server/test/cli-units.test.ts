import { describe, expect, it } from "vitest";
import { newScenario } from "../src/catalog/scenario.ts";
import { UsageError } from "../src/cli/failure.ts";
import { parseOverride } from "../src/cli/override.ts";
import { seededRandom, shuffle } from "../src/cli/shuffle.ts";
import { planEvents } from "../src/cli/trigger-plan.ts";
import { parseWhen } from "../src/cli/when.ts";

const s = newScenario({ now: 1_767_225_600, random: seededRandom(1) });

describe("trigger's plan", () => {
  it("parses overrides as JSON when they parse, as text otherwise", () => {
    expect(parseOverride("amount=5000")).toMatchObject({
      type: undefined,
      path: ["amount"],
      value: 5000,
    });
    expect(parseOverride("currency=eur").value).toBe("eur");
    expect(parseOverride("metadata.tags=[1,2]")).toMatchObject({
      path: ["metadata", "tags"],
      value: [1, 2],
    });
    expect(parseOverride("charge.failed:failure_code=expired_card")).toMatchObject({
      type: "charge.failed",
      path: ["failure_code"],
      value: "expired_card",
    });
    expect(parseOverride("description=a=b").value).toBe("a=b");
    for (const bad of ["amount", "=5", "a..b=1", "__proto__.x=1", ":amount=1"]) {
      expect(() => parseOverride(bad), bad).toThrow(UsageError);
    }
  });

  it("applies overrides to copies, creating objects on the way and refusing to walk into a value", () => {
    const [event] = planEvents(
      ["charge.succeeded"],
      [parseOverride("shipping.address.city=Lyon")],
      { scenario: s },
    );
    expect(event!.data.object).toMatchObject({ shipping: { address: { city: "Lyon" } } });
    const [again] = planEvents(["charge.succeeded"], [], { scenario: s });
    expect(again!.data.object).not.toHaveProperty("shipping");
    expect(() =>
      planEvents(["charge.succeeded"], [parseOverride("amount.value=1")], { scenario: s }),
    ).toThrow(/amount is a number, not an object/);
    expect(() =>
      planEvents(["refund"], [parseOverride("invoice.paid:amount_paid=1")], { scenario: s }),
    ).toThrow(/sends no invoice.paid event/);
  });

  it("shuffles reproducibly, and never into the original order", () => {
    for (let seed = 0; seed < 200; seed++) {
      const order = shuffle([1, 2, 3], seededRandom(seed));
      expect(order).not.toEqual([1, 2, 3]);
      expect(order).toEqual(shuffle([1, 2, 3], seededRandom(seed)));
      expect([...order].sort()).toEqual([1, 2, 3]);
    }
  });
});

describe("recover's --since", () => {
  it("reads unix seconds, ISO dates and durations ago", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(parseWhen("--since", "1767225600", now)).toBe(1_767_225_600);
    expect(parseWhen("--since", "2026-01-01T00:00:00Z", now)).toBe(1_767_225_600);
    expect(parseWhen("--since", "12h", now)).toBe(1_767_225_600);
    expect(() => parseWhen("--since", "yesterday", now)).toThrow(
      /--since 'yesterday': give unix seconds/,
    );
  });
});
