import { describe, expectTypeOf, it } from "vitest";
import {
  createWebhookHandler,
  type Dispute,
  type Invoice,
  type PaymentEvent,
  type PaymentEvents,
  type PaymentIntent,
  type Subscription,
} from "../../src/index.ts";
import { SECRET } from "./support/events.ts";

// These assertions are checked by `npm run typecheck`; at run time they only need to load.
describe("typed payment events", () => {
  it("give each handler its event's data.object type", () => {
    createWebhookHandler({
      secrets: SECRET,
      on: {
        "invoice.payment_failed": (event) => {
          expectTypeOf(event.type).toEqualTypeOf<"invoice.payment_failed">();
          expectTypeOf(event.data.object).toEqualTypeOf<Invoice>();
          expectTypeOf(event.data.object.amount_due).toEqualTypeOf<number>();
        },
        "payment_intent.succeeded": (event) => {
          expectTypeOf(event.data.object).toEqualTypeOf<PaymentIntent>();
        },
        "customer.subscription.deleted": (event) => {
          expectTypeOf(event.data.object.status).toExtend<Subscription["status"]>();
          expectTypeOf(event.data.previous_attributes).toEqualTypeOf<
            Partial<Subscription> | undefined
          >();
        },
        "charge.dispute.created": (event) => {
          expectTypeOf(event.data.object).toEqualTypeOf<Dispute>();
        },
      },
    });
  });

  it("refuse a mistyped event type", () => {
    createWebhookHandler({
      secrets: SECRET,
      on: {
        // @ts-expect-error: "succeded" is not an event type
        "payment_intent.succeded": () => {},
      },
    });
  });

  it("take the application's own event types beside the payment ones", () => {
    type Shop = PaymentEvents & { "order.shipped": { id: string; tracking: string } };
    createWebhookHandler<Shop>({
      secrets: SECRET,
      on: {
        "order.shipped": (event) => {
          expectTypeOf(event.data.object.tracking).toEqualTypeOf<string>();
        },
        "invoice.paid": (event) => {
          expectTypeOf(event.data.object).toEqualTypeOf<Invoice>();
        },
      },
    });
  });

  it("narrow the union of payment events by type", () => {
    const describe = (event: PaymentEvent) => {
      if (event.type === "refund.created") {
        expectTypeOf(event.data.object.object).toEqualTypeOf<"refund">();
      }
    };
    expectTypeOf(describe).parameter(0).toExtend<{ type: string }>();
  });
});
