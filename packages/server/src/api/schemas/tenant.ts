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
