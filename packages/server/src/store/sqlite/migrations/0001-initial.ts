// Forward-only. Never edit a shipped migration: add the next number.
// Times are unix milliseconds. `seq` orders rows for cursor pagination (newest first); lists
// by tenant walk it backwards, so they need no index of their own while tenants are few.
export const sql = `
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE tenants (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO tenants (id, name, created_at) VALUES ('tn_default', 'default', CAST(unixepoch('subsec') * 1000 AS INTEGER));

CREATE TABLE endpoints (
  seq                         INTEGER PRIMARY KEY AUTOINCREMENT,
  id                          TEXT NOT NULL UNIQUE,
  tenant_id                   TEXT NOT NULL REFERENCES tenants (id),
  url                         TEXT NOT NULL,
  description                 TEXT,
  enabled_events              TEXT NOT NULL,
  metadata                    TEXT NOT NULL,
  signature_schemes           TEXT NOT NULL,
  status                      TEXT NOT NULL,
  disabled_reason             TEXT,
  secret                      TEXT NOT NULL,
  previous_secret             TEXT,
  previous_secret_expires_at  INTEGER,
  created_at                  INTEGER NOT NULL,
  updated_at                  INTEGER NOT NULL
);
CREATE INDEX endpoints_tenant ON endpoints (tenant_id, status);

CREATE TABLE events (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  tenant_id       TEXT NOT NULL REFERENCES tenants (id),
  type            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  payload         BLOB NOT NULL,
  idempotency_key TEXT
);
CREATE INDEX events_tenant_type ON events (tenant_id, type, seq);

CREATE TABLE deliveries (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE,
  tenant_id        TEXT NOT NULL,
  event_id         TEXT NOT NULL REFERENCES events (id),
  endpoint_id      TEXT NOT NULL,
  status           TEXT NOT NULL,
  attempt_count    INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  lease_owner      TEXT,
  lease_until      INTEGER,
  last_attempt_at  INTEGER,
  last_status_code INTEGER,
  last_error       TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
-- The dispatcher's claim reads only due pending rows, in due order.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'in_flight';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, seq);

-- No index on the attempt id: attempts are read by delivery only, and each index is pages
-- written on the delivery path.
CREATE TABLE attempts (
  id              TEXT NOT NULL,
  delivery_id     TEXT NOT NULL REFERENCES deliveries (id),
  created_at      INTEGER NOT NULL,
  duration_ms     INTEGER NOT NULL,
  status_code     INTEGER,
  response_body   TEXT,
  error_kind      TEXT,
  error_message   TEXT,
  request_headers TEXT NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, created_at);

CREATE TABLE idempotency_keys (
  tenant_id    TEXT NOT NULL,
  key          TEXT NOT NULL,
  operation    TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  resource_id  TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, operation, key)
);
`;
