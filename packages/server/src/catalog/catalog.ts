import type { EventData, EventTypeDef } from "./entry.ts";
import type { Scenario } from "./scenario.ts";
import { INVOICE_TYPES, SUBSCRIPTION_TYPES } from "./types/billing.ts";
import { CUSTOMER_TYPES, DISPUTE_TYPES } from "./types/customers.ts";
import { PAYMENT_TYPES } from "./types/payments.ts";

/**
 * The payment event catalog: every type `@hookline/webhooks` types, with a JSON Schema and a
 * fixture. Keyed by type so that test/catalog-types.test.ts can check, type by type, that each
 * fixture is the SDK's `PaymentEvents[type]`.
 */
export const EVENT_TYPES = {
  ...PAYMENT_TYPES,
  ...SUBSCRIPTION_TYPES,
  ...INVOICE_TYPES,
  ...DISPUTE_TYPES,
  ...CUSTOMER_TYPES,
};
export type CatalogType = keyof typeof EVENT_TYPES;

const byName: ReadonlyMap<string, EventTypeDef<unknown>> = new Map(Object.entries(EVENT_TYPES));

export const catalogTypes = (): string[] => [...byName.keys()];

export function findEventType(type: string): EventTypeDef<unknown> | undefined {
  return byName.get(type);
}

/** A fresh `data` for `type` (a deep copy: callers may change it). */
export function fixtureOf(
  type: string,
  s: Scenario,
): EventData<Record<string, unknown>> | undefined {
  const found = byName.get(type);
  return found && (structuredClone(found.fixture(s)) as EventData<Record<string, unknown>>);
}
