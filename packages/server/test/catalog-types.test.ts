import type { PaymentEvents } from "@hookline/webhooks";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../src/catalog/catalog.ts";
import type { EventData } from "../src/catalog/entry.ts";
import { newScenario, type Scenario } from "../src/catalog/scenario.ts";

// The check is made by the compiler (`npm run typecheck` covers tests): this assignment fails to
// compile when a catalog type is not a key of the SDK's PaymentEvents, or when its fixture's
// object is not the SDK's type for it (a Charge where a Refund is due, a status the SDK does not
// list, a required field missing). Flows that substitute an object for a fixture must build the
// fixture's type (see `step` in src/catalog/flows.ts), so they are covered by the same check.
const typed: {
  [K in keyof typeof EVENT_TYPES]: { fixture: (s: Scenario) => EventData<PaymentEvents[K]> };
} = EVENT_TYPES;

describe("the catalog's fixtures and the SDK's types", () => {
  it("type each fixture as PaymentEvents[type]['data']['object'] (checked by tsc)", () => {
    const s = newScenario();
    for (const [type, entry] of Object.entries(typed)) {
      expect(entry.fixture(s).object, type).toMatchObject({ object: expect.any(String) });
    }
    expect(Object.keys(typed).length).toBeGreaterThanOrEqual(30);
  });
});
