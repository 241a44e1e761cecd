import { type TSchema, Type } from "@sinclair/typebox";

// Building blocks of the catalog's JSON Schemas. Objects list the fields receivers rely on as
// required and leave additionalProperties open: Stripe adds fields in every API version, and a
// schema that refused them would refuse real traffic.

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[A-Za-z0-9]+$` });
export const Timestamp = Type.Integer({ minimum: 0, description: "Unix seconds." });
export const Amount = Type.Integer({
  minimum: 0,
  description: "In the currency's smallest unit (cents for usd).",
});
export const Currency = Type.String({
  pattern: "^[a-z]{3}$",
  description: "ISO 4217, lower case.",
});
export const Metadata = Type.Record(Type.String(), Type.String());
export const Literals = (...values: string[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** An id, or the expanded object. */
export const Expandable = (prefix: string, object: string) =>
  Type.Union([Id(prefix), Type.Object({ id: Id(prefix), object: Type.Literal(object) })]);

export const Address = Type.Object({
  city: Nullable(Type.String()),
  country: Nullable(Type.String()),
  line1: Nullable(Type.String()),
  line2: Nullable(Type.String()),
  postal_code: Nullable(Type.String()),
  state: Nullable(Type.String()),
});

/** The fields every object has. */
export const objectBase = (prefix: string, object: string) => ({
  id: Id(prefix),
  object: Type.Literal(object),
  livemode: Type.Optional(Type.Boolean()),
});
