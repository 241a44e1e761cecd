import { type Static, Type } from "@sinclair/typebox";
import { MAX_CERT_CHARS, MAX_KEY_CHARS } from "../../endpoint-options/client-certificate.ts";

const Url = Type.String({ minLength: 1, maxLength: 2048, description: "An http(s) URL." });
const EnabledEvents = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  minItems: 1,
  maxItems: 256,
  description: '"*" for every event, exact types, or prefixes such as "invoice.*".',
});
const Metadata = Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
});
const Schemes = Type.Union(
  [Type.Literal("both"), Type.Literal("stripe"), Type.Literal("standard")],
  {
    description: "Which signature headers to send: both sets (default), or one scheme only.",
  },
);

const RateLimit = Type.Integer({
  minimum: 1,
  maximum: 100_000,
  description: "At most this many requests per second to the endpoint; omit or null for no limit.",
});

const Ordering = Type.Union([Type.Literal("none"), Type.Literal("per_key")], {
  description:
    "per_key: deliveries of one ordering key go one at a time, in the order their events were created (docs/ordering.md). Default none.",
});

const OrderingOnExhausted = Type.Union([Type.Literal("skip"), Type.Literal("hold")], {
  description:
    "For keyed deliveries (ordering per_key): when the oldest delivery of a key fails after its last retry, skip it and go on with the key's next (default), or hold the key until that delivery is retried or recovered (docs/ordering.md).",
});

// Names and values are checked by endpoint-options/custom-headers.ts, which names the header.
const Headers = Type.Record(Type.String(), Type.String(), {
  description:
    'Custom headers sent with every delivery, such as {"X-Team": "billing"}: at most 20, 8 KB in all; values are sealed at rest and masked in every answer but the create. Headers the sender sets (Host, Content-Type, Content-Length, Authorization, Stripe-Signature, webhook-*, Hookline-*, hop-by-hop headers) are refused.',
});
const HeadersUpdate = Type.Union(
  [Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])), Type.Null()],
  {
    description:
      "Merged into the endpoint's custom headers: a string sets a header, null removes it; null for the whole object removes them all.",
  },
);
// Checked by endpoint-options/payload-filter.ts, which names the offending path.
export const Filter = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'A MongoDB-style query over the event (for example {"data.object.amount": {"$gte": 1000}}): only events it matches get a delivery to this endpoint. Operators: $eq $ne $in $nin $gt $gte $lt $lte $exists $not on dotted paths, $and $or around queries.',
});

// Checked by endpoint-options/endpoint-auth.ts, which names the field.
const Auth = Type.Object(
  {
    type: Type.String({ description: '"basic" or "oauth2_client_credentials".' }),
    username: Type.Optional(Type.String({ maxLength: 200, description: "basic" })),
    password: Type.Optional(Type.String({ maxLength: 1000, description: "basic" })),
    token_url: Type.Optional(
      Type.String({
        maxLength: 2048,
        description:
          "oauth2_client_credentials: the authorization server's token endpoint (http(s); the address guard applies to it as to deliveries).",
      }),
    ),
    client_id: Type.Optional(
      Type.String({ maxLength: 200, description: "oauth2_client_credentials" }),
    ),
    client_secret: Type.Optional(
      Type.String({
        maxLength: 1000,
        description: "oauth2_client_credentials: sealed at rest, never shown.",
      }),
    ),
    scope: Type.Optional(
      Type.String({
        maxLength: 1000,
        description: "oauth2_client_credentials: space-separated scopes to ask for (optional).",
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Authentication to the endpoint beside the signature. {type: "basic", username, password} sends Authorization: Basic. {type: "oauth2_client_credentials", token_url, client_id, client_secret, scope?} gets a token with the client credentials grant (client_secret_basic), caches it until shortly before it expires, and sends Authorization: Bearer; a 401 from the endpoint gets a new token and sends the attempt again, once. Sealed at rest; answers never show the password or the client secret.',
  },
);

// Checked together by api/client-certificate-input.ts: parsed, the key matched to the certificate.
const TlsClientCert = Type.String({
  maxLength: MAX_CERT_CHARS,
  description:
    "A client certificate (PEM, the leaf first, then any intermediates) the sender presents for mutual TLS; give it with tls_client_key. Answers show its subject, issuer and expiry.",
});
const TlsClientKey = Type.String({
  maxLength: MAX_KEY_CHARS,
  description:
    "The certificate's private key (PEM, unencrypted: it is sealed at rest); never shown in any answer.",
});

export const CreateEndpointBody = Type.Object(
  {
    url: Url,
    enabled_events: EnabledEvents,
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    metadata: Type.Optional(Metadata),
    signature_schemes: Type.Optional(Schemes),
    rate_limit: Type.Optional(Type.Union([RateLimit, Type.Null()])),
    ordering: Type.Optional(Ordering),
    ordering_on_exhausted: Type.Optional(OrderingOnExhausted),
    headers: Type.Optional(Headers),
    filter: Type.Optional(Type.Union([Filter, Type.Null()])),
    auth: Type.Optional(Type.Union([Auth, Type.Null()])),
    tls_client_cert: Type.Optional(Type.Union([TlsClientCert, Type.Null()])),
    tls_client_key: Type.Optional(Type.Union([TlsClientKey, Type.Null()])),
    secret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          "An existing whsec_ secret, to migrate from another provider without re-keying receivers.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateEndpointBody = Static<typeof CreateEndpointBody>;

export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    enabled_events: Type.Optional(EnabledEvents),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
    metadata: Type.Optional(Metadata),
    signature_schemes: Type.Optional(Schemes),
    rate_limit: Type.Optional(Type.Union([RateLimit, Type.Null()])),
    ordering: Type.Optional(Ordering),
    ordering_on_exhausted: Type.Optional(OrderingOnExhausted),
    headers: Type.Optional(HeadersUpdate),
    filter: Type.Optional(Type.Union([Filter, Type.Null()], { description: "null removes it." })),
    auth: Type.Optional(Type.Union([Auth, Type.Null()], { description: "null removes it." })),
    tls_client_cert: Type.Optional(
      Type.Union([TlsClientCert, Type.Null()], {
        description: "Replaced together with tls_client_key; null for both removes them.",
      }),
    ),
    tls_client_key: Type.Optional(Type.Union([TlsClientKey, Type.Null()])),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateEndpointBody = Static<typeof UpdateEndpointBody>;

export const RotateSecretBody = Type.Object(
  {
    expires_in: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 20 })], {
        description:
          'How long the old secret keeps signing: seconds, or a duration such as "24h". Default 24h, at most 7d.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RotateSecretBody = Static<typeof RotateSecretBody>;

const NullableTime = Type.Union([Type.Integer(), Type.Null()]);

const HealthSummarySchema = Type.Object({
  state: Type.Union([
    Type.Literal("healthy"),
    Type.Literal("failing"),
    Type.Literal("disabling_soon"),
  ]),
  consecutive_failures: Type.Integer(),
  failing_since: NullableTime,
  disable_at: NullableTime,
  last_success_at: NullableTime,
  last_failure_at: NullableTime,
});

/** The last second of year 9999: later times overflow what the store and clients handle. */
const LAST_SECOND = 253_402_300_799;

export const RecoverBody = Type.Object(
  {
    since: Type.Integer({
      minimum: 0,
      maximum: LAST_SECOND,
      description: "Re-queue deliveries created at or after this time (unix seconds).",
    }),
    until: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: LAST_SECOND,
        description: "…and at or before this time (unix seconds); default now.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type RecoverBody = Static<typeof RecoverBody>;

export const EndpointSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("webhook_endpoint"),
    url: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    enabled_events: Type.Array(Type.String()),
    metadata: Type.Record(Type.String(), Type.String()),
    signature_schemes: Type.String(),
    status: Type.Union([Type.Literal("enabled"), Type.Literal("disabled")]),
    disabled_reason: Type.Union([Type.String(), Type.Null()]),
    rate_limit: Type.Union([Type.Integer(), Type.Null()]),
    ordering: Type.Union([Type.Literal("none"), Type.Literal("per_key")]),
    ordering_on_exhausted: Type.Union([Type.Literal("skip"), Type.Literal("hold")]),
    headers: Type.Record(Type.String(), Type.String(), {
      description: "Custom header names; values are shown only in the create's answer.",
    }),
    filter: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    auth: Type.Union([
      Type.Object({ type: Type.Literal("basic"), username: Type.String() }),
      Type.Object({
        type: Type.Literal("oauth2_client_credentials"),
        token_url: Type.String(),
        client_id: Type.String(),
        scope: Type.Union([Type.String(), Type.Null()]),
      }),
      Type.Null(),
    ]),
    tls_client_cert: Type.Union(
      [
        Type.Object({
          subject: Type.String(),
          issuer: Type.String(),
          expires_at: Type.Integer({ description: "Unix seconds." }),
          fingerprint_sha256: Type.String(),
        }),
        Type.Null(),
      ],
      {
        description:
          "The client certificate presented for mutual TLS, as it describes itself; null for none. Its key is never shown.",
      },
    ),
    health: HealthSummarySchema,
    secret: Type.Optional(Type.String()),
    previous_secret_expires_at: Type.Union([Type.Integer(), Type.Null()]),
    created: Type.Integer(),
    livemode: Type.Boolean(),
    warnings: Type.Optional(Type.Array(Type.String())),
  },
  { $id: "WebhookEndpoint" },
);
