import {
  createStaleEventGuard,
  createWebhookHandler,
  type Inbox,
  type WebhookHandler,
} from "@hookline/webhooks";
import type { Shop } from "./shop.ts";

const customerId = (customer: string | { id: string } | null) =>
  typeof customer === "string" ? customer : (customer?.id ?? "unknown");

/**
 * The shop's webhook endpoint. Ack-first: Hookline gets its 2xx as soon as the event is in the
 * inbox, so a slow mailer never makes it time out and retry. The inbox runs each event once;
 * the stale guard keeps an older subscription or dispute event from undoing a newer one.
 */
export function storeWebhooks(
  shop: Shop,
  options: { secrets: string | string[]; inbox: Inbox },
): WebhookHandler {
  const latestOnly = createStaleEventGuard(options.inbox);
  return createWebhookHandler({
    secrets: options.secrets,
    inbox: options.inbox,
    mode: "ack-first",
    on: {
      "payment_intent.succeeded": (event) => {
        const orderId = event.data.object.metadata.order_id;
        if (orderId) shop.fulfil(orderId);
      },
      "payment_intent.payment_failed": (event) => {
        const intent = event.data.object;
        const reason = intent.last_payment_error?.message ?? "the payment failed";
        shop.email(
          intent.receipt_email ?? customerId(intent.customer),
          `Payment failed: ${reason}`,
        );
      },
      "customer.subscription.created": latestOnly((event) => saveSubscription(event.data.object)),
      "customer.subscription.updated": latestOnly((event) => saveSubscription(event.data.object)),
      "customer.subscription.deleted": latestOnly((event) => saveSubscription(event.data.object)),
      "charge.dispute.created": latestOnly((event) => shop.saveDispute(event.data.object)),
      "charge.dispute.updated": latestOnly((event) => shop.saveDispute(event.data.object)),
      "charge.dispute.closed": latestOnly((event) => shop.saveDispute(event.data.object)),
    },
  });

  function saveSubscription(subscription: {
    id: string;
    status: string;
    customer: string | { id: string };
  }) {
    shop.saveSubscription({
      id: subscription.id,
      customer: customerId(subscription.customer),
      status: subscription.status,
    });
  }
}
