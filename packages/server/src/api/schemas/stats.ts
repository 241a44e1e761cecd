import { type Static, Type } from "@sinclair/typebox";

export const StatsQuery = Type.Object(
  {
    window: Type.Optional(
      Type.Union([Type.Literal("1h"), Type.Literal("24h")], {
        description: "How far back: the last hour or the last day (default 1h).",
      }),
    ),
    endpoint: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "Attempts to this endpoint (a we_ id) only; events are then not counted.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

const NullableMs = Type.Union([Type.Integer(), Type.Null()]);

const StatsBucketSchema = Type.Object({
  start: Type.Integer({ description: "The bucket's first second (unix seconds)." }),
  events: Type.Integer({ description: "Events created." }),
  attempts_ok: Type.Integer({ description: "Attempts answered with a 2xx." }),
  attempts_failed: Type.Integer({ description: "Attempts that failed (any other outcome)." }),
  p95_ms: { ...NullableMs, description: "95th percentile attempt duration; null: no attempts." },
});

export const StatsSchema = Type.Object(
  {
    object: Type.Literal("stats"),
    window: Type.String(),
    endpoint: Type.Union([Type.String(), Type.Null()]),
    bucket_seconds: Type.Integer(),
    since: Type.Integer(),
    until: Type.Integer(),
    totals: Type.Object({
      events: Type.Integer(),
      attempts_ok: Type.Integer(),
      attempts_failed: Type.Integer(),
      success_rate: Type.Union([Type.Number(), Type.Null()]),
      p95_ms: NullableMs,
    }),
    buckets: Type.Array(StatsBucketSchema),
  },
  {
    $id: "Stats",
    description: "Per-minute activity over a window, oldest bucket first, empty buckets included.",
  },
);
