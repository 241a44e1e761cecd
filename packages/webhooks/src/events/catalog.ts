import type { Event } from "../event.ts";
import type { BillingEventObjects } from "./billing.ts";
import type { CustomerEventObjects } from "./customers.ts";
import type { DisputeEventObjects } from "./disputes.ts";
import type { PaymentEventObjects } from "./payments.ts";

/**
 * Every payment event type mapped to the type of its `data.object`. Types only: importing it
 * costs nothing at run time. Extend it with your own types:
 *
 * @example
 * ```ts
 * import { createWebhookHandler, type PaymentEvents } from "@hookline/webhooks";
 *
 * createWebhookHandler<PaymentEvents & { "order.shipped": { id: string; tracking: string } }>({
 *   secrets,
 *   on: { "order.shipped": async (event) => notify(event.data.object.tracking) },
 * });
 * ```
 */
export interface PaymentEvents
  extends PaymentEventObjects,
    BillingEventObjects,
    DisputeEventObjects,
    CustomerEventObjects {}

/** One payment event type: `PaymentEventType` is `"invoice.paid" | "charge.dispute.created" | …`. */
export type PaymentEventType = keyof PaymentEvents;

/**
 * The event of one payment type, or the union of all of them, for code outside a handler.
 *
 * @example
 * ```ts
 * function onFailure(event: PaymentEvent<"invoice.payment_failed">) {
 *   return event.data.object.customer_email;
 * }
 * ```
 */
export type PaymentEvent<TType extends PaymentEventType = PaymentEventType> = {
  [K in TType]: Event<K, PaymentEvents[K]>;
}[TType];
