import { type Static, Type } from "@sinclair/typebox";
import { LISTEN_ERROR_KINDS } from "../../listen/outcome.ts";
import { MAX_LISTEN_TIMEOUT_MS } from "../../listen/timeout.ts";

export const CreateListenSessionBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'The session\'s name, stable across reconnects: letters, digits, ".", "_" and "-". Default "default".',
      }),
    ),
    enabled_events: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: 256,
        description: '"*" (the default), exact types, or prefixes such as "invoice.*".',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateListenSessionBody = Static<typeof CreateListenSessionBody>;

export const ListenStreamQuery = Type.Object(
  {
    timeout_ms: Type.Optional(
      Type.Integer({
        minimum: 1000,
        maximum: MAX_LISTEN_TIMEOUT_MS,
        description:
          "How long the listener may take to report each delivery's answer; default 30000. At most an hour, and at most half the server's lease less 10 s.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListenStreamQuery = Static<typeof ListenStreamQuery>;

export const ListenResultBody = Type.Object(
  {
    attempt: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "The attempt token of the delivery, as the stream sent it.",
    }),
    status: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 599, description: "The local app's HTTP status." }),
    ),
    body: Type.Optional(
      Type.String({ maxLength: 4096, description: "The first 4 KB of the local app's answer." }),
    ),
    duration_ms: Type.Number({
      minimum: 0,
      maximum: 86_400_000,
      description: "How long the local app took.",
    }),
    error: Type.Optional(
      Type.Object(
        {
          kind: Type.Union(
            LISTEN_ERROR_KINDS.map((k) => Type.Literal(k)),
            { description: "Why the local app gave no answer." },
          ),
          message: Type.String({ maxLength: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "Either the local app's answer (status, body) or why there was none (error).",
  },
);
export type ListenResultBody = Static<typeof ListenResultBody>;

export const ListenResultSchema = Type.Object(
  {
    object: Type.Literal("listen_result"),
    attempt: Type.String(),
    delivered: Type.Boolean({ description: "The attempt succeeded (the local app answered 2xx)." }),
  },
  { $id: "ListenResult" },
);
