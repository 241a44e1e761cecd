/**
 * What the benchmark sends: a Stripe-like `payment_intent.succeeded` whose whole event, as
 * Hookline stores and delivers it, is about 1 KB; and the same event bytes for the limit, which
 * POSTs them without Hookline in between.
 */

export const EVENT_TYPE = "payment_intent.succeeded";

/** `data.object` of event `n`: a payment intent, padded so that the whole event is ~1 KB. */
export function paymentIntent(n: number): Record<string, unknown> {
  const suffix = String(n).padStart(8, "0");
  return {
    id: `pi_3Qbench${suffix}`,
    object: "payment_intent",
    amount: 2000 + (n % 1000),
    amount_received: 2000 + (n % 1000),
    capture_method: "automatic",
    client_secret: `pi_3Qbench${suffix}_secret_9Xk2LmQ7rT4vW8yZ1aB3cD5eF`,
    confirmation_method: "automatic",
    created: 1_735_689_600 + n,
    currency: "usd",
    customer: `cus_R${suffix}`,
    description: "Order #A-1042: 2 × Catalog item, assorted; shipped to the billing address",
    latest_charge: `ch_3Qbench${suffix}`,
    livemode: false,
    metadata: { order_id: `A-${suffix}`, channel: "web", campaign: "winter-sale" },
    payment_method: `pm_1Qbench${suffix}`,
    payment_method_types: ["card"],
    receipt_email: "jenny.rosen@example.com",
    shipping: {
      name: "Jenny Rosen",
      address: {
        line1: "510 Townsend St",
        city: "San Francisco",
        state: "CA",
        postal_code: "94103",
        country: "US",
      },
    },
    statement_descriptor_suffix: "HOOKLINE",
    status: "succeeded",
  };
}

/** The API request that creates event `n`. */
export function createEventBody(n: number): string {
  return JSON.stringify({ type: EVENT_TYPE, data: { object: paymentIntent(n) } });
}

/** Event `n` as Hookline would deliver it (same fields, same order), for the limit to POST. */
export function eventBytes(id: string, n: number, endpoints: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      id,
      object: "event",
      api_version: null,
      created: Math.floor(Date.now() / 1000),
      data: { object: paymentIntent(n) },
      livemode: false,
      pending_webhooks: endpoints,
      request: { id: "req_bench00000000000000000000", idempotency_key: null },
      type: EVENT_TYPE,
    }),
  );
}

/** An event id of Hookline's shape (`evt_` and 24 characters) that no Hookline run produces. */
export function limitEventId(run: string, n: number): string {
  return `evt_limit${run}${String(n).padStart(24 - 5 - run.length, "0")}`;
}
