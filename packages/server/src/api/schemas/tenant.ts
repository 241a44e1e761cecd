import { type Static, Type } from "@sinclair/typebox";
import { ListQuery } from "./common.ts";
import { ListOf } from "./responses.ts";

const Metadata = Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
});
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const CreateTenantBody = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 67,
        description:
          "Your own id for the tenant (tn_ followed by up to 64 letters and digits), to map it to your customer; generated when omitted.",
      }),
    ),
    name: Name,
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

export const UpdateTenantBody = Type.Object(
  { name: Type.Optional(Name), metadata: Type.Optional(Metadata) },
  { additionalProperties: false },
);
export type UpdateTenantBody = Static<typeof UpdateTenantBody>;

export const TenantSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("tenant"),
    name: Type.String(),
    metadata: Type.Record(Type.String(), Type.String()),
    created: Type.Integer(),
  },
  { $id: "Tenant" },
);
export const TenantListSchema = ListOf("TenantList", TenantSchema);
export const DeletedTenantSchema = Type.Object(
  { id: Type.String(), object: Type.Literal("tenant"), deleted: Type.Literal(true) },
  { $id: "DeletedTenant" },
);

export const CreateApiKeyBody = Type.Object(
  {
    tenant: Type.String({ maxLength: 100, description: "The tenant the key acts on (tn_…)." }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

export const ListApiKeysQuery = Type.Object(
  { ...ListQuery, tenant: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);
export type ListApiKeysQuery = Static<typeof ListApiKeysQuery>;

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("api_key"),
    tenant: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    key: Type.Optional(
      Type.String({ description: "The key itself: in the create answer only, never again." }),
    ),
    key_hint: Type.String({ description: "The key's first characters, to recognise it." }),
    created: Type.Integer(),
    revoked: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: "ApiKey" },
);
export const ApiKeyListSchema = ListOf("ApiKeyList", ApiKeySchema);

/** Portal links last 1 hour unless asked otherwise, and at most 7 days. */
export const PORTAL_LINK_MAX_SECONDS = 7 * 24 * 3600;
export const PORTAL_LINK_DEFAULT_SECONDS = 3600;

export const CreatePortalLinkBody = Type.Object(
  {
    expires_in: Type.Optional(
      Type.Union(
        [
          Type.Integer({ minimum: 1, maximum: PORTAL_LINK_MAX_SECONDS }),
          Type.String({ minLength: 2, maxLength: 20 }),
        ],
        {
          description:
            "How long the link works: seconds, or a duration such as 30m, 12h, 7d. Default 1h, at most 7d.",
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreatePortalLinkBody = Static<typeof CreatePortalLinkBody>;

export const PortalLinkSchema = Type.Object(
  {
    object: Type.Literal("portal_link"),
    tenant: Type.String(),
    url: Type.String({
      description:
        "The dashboard, scoped to the tenant: <this server>/portal#token=<token>. The token is in the fragment, which browsers never send to servers or in Referer headers.",
    }),
    token: Type.String({
      description:
        "The bearer token itself (plt_…), to build the link against another origin (a proxy's).",
    }),
    expires_at: Type.Integer({ description: "Unix seconds; the link is refused from then on." }),
  },
  { $id: "PortalLink" },
);

export const PortalSessionSchema = Type.Object(
  {
    object: Type.Literal("portal_session"),
    tenant: Type.Object({ id: Type.String(), name: Type.String() }),
    expires_at: Type.Integer({ description: "Unix seconds." }),
  },
  { $id: "PortalSession" },
);
