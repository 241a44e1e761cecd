// Tenants as objects of their own, and API keys scoped to one tenant. Mirrors SQLite's 0003.
// Forward-only. A tenant is never deleted outright: `deleted_at` hides it and its keys stop working.
export const sql = `
ALTER TABLE tenants
  ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN updated_at bigint,
  ADD COLUMN deleted_at bigint;

CREATE TABLE api_keys (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id         text NOT NULL UNIQUE,
  tenant_id  text NOT NULL REFERENCES tenants (id),
  name       text,
  -- SHA-256 of the key: the key itself is shown once and never stored.
  key_hash   bytea NOT NULL UNIQUE,
  key_hint   text NOT NULL,
  created_at bigint NOT NULL,
  revoked_at bigint
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, seq);
`;
