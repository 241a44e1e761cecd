import type { Customer, PaymentMethod } from "@hookline/webhooks";
import { DAY, type Scenario } from "../scenario.ts";

const ADDRESS = {
  city: "San Francisco",
  country: "US",
  line1: "510 Townsend St",
  line2: null,
  postal_code: "94103",
  state: "CA",
};

export function customer(s: Scenario, fields: Partial<Customer> = {}): Customer {
  return {
    id: s.customer,
    object: "customer",
    address: ADDRESS,
    balance: 0,
    created: s.now - 40 * DAY,
    currency: s.currency,
    delinquent: false,
    description: null,
    email: s.email,
    invoice_prefix: "F3A1B2C4",
    invoice_settings: { default_payment_method: s.paymentMethod, footer: null },
    livemode: false,
    metadata: { user_id: "usr_8842" },
    name: s.name,
    phone: "+14155550123",
    ...fields,
  };
}

/** Stripe's test Visa 4242 4242 4242 4242, attached to the scenario's customer. */
export function paymentMethod(s: Scenario, fields: Partial<PaymentMethod> = {}): PaymentMethod {
  return {
    id: s.paymentMethod,
    object: "payment_method",
    billing_details: { address: ADDRESS, email: s.email, name: s.name },
    card: {
      brand: "visa",
      checks: { address_postal_code_check: "pass", cvc_check: "pass" },
      country: "US",
      exp_month: 8,
      exp_year: 2030,
      fingerprint: "Xt5EWLLDS7FJjR1c",
      funding: "credit",
      last4: "4242",
    },
    created: s.now - 40 * DAY,
    customer: s.customer,
    livemode: false,
    metadata: {},
    type: "card",
    ...fields,
  };
}
