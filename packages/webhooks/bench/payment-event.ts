// Payloads for the benchmarks: Stripe-like `payment_intent.succeeded` events, pretty-printed with 2 spaces as Stripe
// sends them. Built deterministically (a seeded PRNG for the ids), so every run hashes and parses
// the same bytes.

function prng(seed: number): () => number {
  // mulberry32: tiny, deterministic, good enough for ids.
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(0x5eed);
const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function id(prefix: string, length = 24): string {
  let text = `${prefix}_`;
  for (let i = 0; i < length; i++) text += ALPHANUMERIC[Math.floor(random() * 62)];
  return text;
}

const CREATED = 1_735_689_600;

export function paymentIntentSucceeded(lineItems: number): Record<string, unknown> {
  const intent = id("pi");
  const customer = id("cus", 14);
  const lines = Array.from({ length: lineItems }, (_, i) => ({
    id: id("uli"),
    object: "payment_intent_amount_details_line_item",
    discount_amount: i % 5 === 0 ? 100 : null,
    payment_method_options: null,
    product_code: `SKU-${String(10_000 + i)}`,
    product_name: `Catalog item ${i + 1}, assorted`,
    quantity: 1 + (i % 3),
    tax: { total_tax_amount: 83 },
    unit_cost: 999 + i,
    unit_of_measure: "each",
  }));
  return {
    id: id("evt"),
    object: "event",
    api_version: "2025-03-31.basil",
    created: CREATED,
    data: {
      object: {
        id: intent,
        object: "payment_intent",
        amount: 2000,
        amount_capturable: 0,
        amount_details: {
          tip: {},
          ...(lineItems > 0 && {
            line_items: {
              object: "list",
              data: lines,
              has_more: false,
              url: `/v1/payment_intents/${intent}/amount_details_line_items`,
            },
          }),
        },
        amount_received: 2000,
        application: null,
        application_fee_amount: null,
        automatic_payment_methods: { allow_redirects: "always", enabled: true },
        canceled_at: null,
        cancellation_reason: null,
        capture_method: "automatic_async",
        client_secret: `${intent}_secret_${id("x", 25).slice(2)}`,
        confirmation_method: "automatic",
        created: CREATED - 3,
        currency: "usd",
        customer,
        description: "Order #100234",
        last_payment_error: null,
        latest_charge: id("ch"),
        livemode: false,
        metadata: { order_id: "100234", channel: "web" },
        next_action: null,
        on_behalf_of: null,
        payment_method: id("pm"),
        payment_method_configuration_details: { id: id("pmc"), parent: null },
        payment_method_options: {
          card: {
            installments: null,
            mandate_options: null,
            network: null,
            request_three_d_secure: "automatic",
          },
          link: { persistent_token: null },
        },
        payment_method_types: ["card", "link"],
        processing: null,
        receipt_email: "jenny.rosen@example.com",
        review: null,
        setup_future_usage: null,
        shipping: null,
        source: null,
        statement_descriptor: null,
        statement_descriptor_suffix: null,
        status: "succeeded",
        transfer_data: null,
        transfer_group: null,
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: id("req", 14), idempotency_key: "f1b1d3a0-4c1e-4a3b-9d44-6a1d2f7e8c10" },
    type: "payment_intent.succeeded",
  };
}

/** The event with as many line items as it takes to reach `minBytes` (none for a small one). */
export function payload(minBytes: number): string {
  for (let lines = 0; ; lines++) {
    const text = JSON.stringify(paymentIntentSucceeded(lines), null, 2);
    if (text.length >= minBytes) return text;
  }
}
