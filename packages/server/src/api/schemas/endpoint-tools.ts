import { Type } from "@sinclair/typebox";
import { AttemptSchema } from "./delivery.ts";
import { Filter } from "./endpoint.ts";

export const FilterTestBody = Type.Object(
  {
    filter: Filter,
    event: Type.Record(Type.String(), Type.Unknown(), {
      description:
        "An event as endpoints receive it ({type, data: {object}, …}), for example one from GET /v1/events/{id}.",
    }),
  },
  { additionalProperties: false },
);

export const FilterTestSchema = Type.Object({
  object: Type.Literal("webhook_endpoint_filter_test"),
  matches: Type.Boolean({ description: "Whether an endpoint with this filter gets the event." }),
});

export const TestSendBody = Type.Object(
  {
    type: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          "A catalog event type whose example is sent (GET /v1/event_types); default payment_intent.succeeded.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const TestSendSchema = Type.Object({
  object: Type.Literal("webhook_endpoint_test"),
  endpoint: Type.String(),
  succeeded: Type.Boolean({ description: "The endpoint answered 2xx within the timeout." }),
  event: Type.Record(Type.String(), Type.Unknown(), {
    description: "The example event sent, byte for byte as the body (not stored).",
  }),
  attempt: AttemptSchema,
});
