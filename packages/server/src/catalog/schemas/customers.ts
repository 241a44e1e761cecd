import { Type } from "@sinclair/typebox";
import { Address, Id, Metadata, Nullable, objectBase, Timestamp } from "./common.ts";

export const CustomerSchema = Type.Object(
  {
    ...objectBase("cus", "customer"),
    email: Nullable(Type.String()),
    name: Type.Optional(Nullable(Type.String())),
    phone: Type.Optional(Nullable(Type.String())),
    address: Type.Optional(Nullable(Address)),
    delinquent: Type.Optional(Nullable(Type.Boolean())),
    invoice_settings: Type.Optional(Type.Object({ default_payment_method: Nullable(Id("pm")) })),
    created: Timestamp,
    metadata: Metadata,
  },
  { title: "Customer" },
);

export const PaymentMethodSchema = Type.Object(
  {
    ...objectBase("pm", "payment_method"),
    type: Type.String(),
    customer: Nullable(Id("cus")),
    billing_details: Type.Object({
      address: Nullable(Address),
      email: Nullable(Type.String()),
      name: Nullable(Type.String()),
    }),
    card: Type.Optional(
      Type.Object({
        brand: Type.String(),
        last4: Type.String({ pattern: "^[0-9]{4}$" }),
        exp_month: Type.Integer({ minimum: 1, maximum: 12 }),
        exp_year: Type.Integer(),
        country: Nullable(Type.String()),
      }),
    ),
    created: Timestamp,
    metadata: Nullable(Metadata),
  },
  { title: "PaymentMethod" },
);
