// Tenants as objects of their own, and API keys scoped to one tenant. Forward-only.
// A tenant is never deleted outright (its events reference it until retention prunes them):
// `deleted_at` hides it and its keys stop working.
export const sql = `
ALTER TABLE tenants ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tenants ADD COLUMN updated_at INTEGER;
ALTER TABLE tenants ADD COLUMN deleted_at INTEGER;

CREATE TABLE api_keys (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL UNIQUE,
  tenant_id  TEXT NOT NULL REFERENCES tenants (id),
  name       TEXT,
  -- SHA-256 of the key: the key itself is shown once and never stored.
  key_hash   BLOB NOT NULL UNIQUE,
  key_hint   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, seq);
`;
