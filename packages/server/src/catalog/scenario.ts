// A scenario is the cast of one story told by fixtures: one customer, their card, one payment,
// one subscription with its invoice, one dispute. The events of a flow share a scenario, so the
// charge of `charge.succeeded` is the `latest_charge` of the `payment_intent.succeeded` after it.

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export interface Scenario {
  /** Unix seconds: the moment the story ends; earlier steps are placed before it. */
  now: number;
  customer: string;
  paymentMethod: string;
  paymentIntent: string;
  charge: string;
  refund: string;
  product: string;
  price: string;
  subscription: string;
  subscriptionItem: string;
  invoice: string;
  dispute: string;
  /** The amount of the payment, the invoice and the dispute, in the currency's minor unit. */
  amount: number;
  currency: string;
  email: string;
  name: string;
}

/**
 * A fresh cast with Stripe-shaped ids (`pi_` + 24 base62 characters, `cus_` + 14, …).
 * `random` is injectable so tests get the same ids on every run.
 */
export function newScenario(options: { now?: number; random?: () => number } = {}): Scenario {
  const random = options.random ?? Math.random;
  const id = (prefix: string, length: number) => {
    let out = prefix;
    for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * 62)];
    return out;
  };
  // Stripe's long ids embed the account; one shared part makes them look like one account's.
  const account = id("", 10);
  const long = (prefix: string) => id(`${prefix}_3${account}`, 13);
  return {
    now: options.now ?? Math.floor(Date.now() / 1000),
    customer: id("cus_", 14),
    paymentMethod: long("pm"),
    paymentIntent: long("pi"),
    charge: long("ch"),
    refund: long("re"),
    product: id("prod_", 14),
    price: long("price"),
    subscription: long("sub"),
    subscriptionItem: id("si_", 14),
    invoice: long("in"),
    dispute: long("dp"),
    amount: 2000,
    currency: "usd",
    email: "jenny.rosen@example.com",
    name: "Jenny Rosen",
  };
}

export const DAY = 86_400;
