import { type TSchema, Type } from "@sinclair/typebox";

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      type: Type.String(),
      code: Type.String(),
      message: Type.String(),
      param: Type.Optional(Type.String()),
    }),
  },
  { $id: "Error", description: "An error, in Stripe's shape." },
);

/** `limit`, `starting_after`, `ending_before`: cursor pagination, newest first. */
export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  starting_after: Type.Optional(Type.String({ maxLength: 100 })),
  ending_before: Type.Optional(Type.String({ maxLength: 100 })),
};

export const List = <T extends TSchema>(item: T) =>
  Type.Object({
    object: Type.Literal("list"),
    data: Type.Array(item),
    has_more: Type.Boolean(),
    url: Type.String(),
  });

export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** The standard error responses, so every route documents them. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  404: ErrorSchema,
};

/** For routes that take no parameters: anything sent is an unknown parameter. */
export const NoParams = Type.Object({}, { additionalProperties: false });

/** Lets a body-less POST or DELETE be validated against `NoParams` (or optional fields). */
export async function defaultEmptyBody(request: { body: unknown }): Promise<void> {
  request.body ??= {};
}

/** The store's list options from a list route's query string. */
export function pageOptions(query: {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}) {
  return {
    limit: query.limit ?? 10,
    startingAfter: query.starting_after,
    endingBefore: query.ending_before,
  };
}
