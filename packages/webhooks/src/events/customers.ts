import type { Address, ApiObject, Metadata, Timestamp } from "./common.ts";

export interface Customer extends ApiObject<"customer"> {
  email: string | null;
  name?: string | null;
  phone?: string | null;
  address?: Address | null;
  delinquent?: boolean | null;
  invoice_settings?: { default_payment_method: string | null; [field: string]: unknown };
  created: Timestamp;
  metadata: Metadata;
}

export interface PaymentMethod extends ApiObject<"payment_method"> {
  type: string;
  customer: string | null;
  billing_details: { address: Address | null; email: string | null; name: string | null };
  card?: {
    brand: string;
    last4: string;
    exp_month: number;
    exp_year: number;
    country: string | null;
    [field: string]: unknown;
  };
  created: Timestamp;
  metadata: Metadata | null;
}

/** Customer events: `customer.*` (subscriptions aside), `payment_method.*`. */
export interface CustomerEventObjects {
  "customer.created": Customer;
  "customer.updated": Customer;
  "customer.deleted": Customer;
  "payment_method.attached": PaymentMethod;
  "payment_method.detached": PaymentMethod;
  "payment_method.updated": PaymentMethod;
  "payment_method.automatically_updated": PaymentMethod;
}
