// Forward-only. Never edit a shipped migration: add the next number. Mirrors SQLite's 0001.
// Times are unix milliseconds (bigint). `seq` orders rows for cursor pagination, newest first.
// Endpoint lists and attempt headers are JSONB: read whole, never queried inside, but stored as
// the JSON they are instead of text to re-parse.
export const sql = `
CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE tenants (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  created_at bigint NOT NULL
);
INSERT INTO tenants (id, name, created_at)
  VALUES ('tn_default', 'default', (extract(epoch FROM clock_timestamp()) * 1000)::bigint);

CREATE TABLE endpoints (
  seq                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                         text NOT NULL UNIQUE,
  tenant_id                  text NOT NULL REFERENCES tenants (id),
  url                        text NOT NULL,
  description                text,
  enabled_events             jsonb NOT NULL,
  metadata                   jsonb NOT NULL,
  signature_schemes          text NOT NULL,
  status                     text NOT NULL,
  disabled_reason            text,
  secret                     text NOT NULL,
  previous_secret            text,
  previous_secret_expires_at bigint,
  created_at                 bigint NOT NULL,
  updated_at                 bigint NOT NULL
);
CREATE INDEX endpoints_tenant ON endpoints (tenant_id, status);

CREATE TABLE events (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              text NOT NULL UNIQUE,
  tenant_id       text NOT NULL REFERENCES tenants (id),
  type            text NOT NULL,
  created_at      bigint NOT NULL,
  payload         bytea NOT NULL,
  idempotency_key text
);
CREATE INDEX events_tenant_type ON events (tenant_id, type, seq);

CREATE TABLE deliveries (
  seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               text NOT NULL UNIQUE,
  tenant_id        text NOT NULL,
  event_id         text NOT NULL REFERENCES events (id),
  endpoint_id      text NOT NULL,
  status           text NOT NULL,
  attempt_count    integer NOT NULL DEFAULT 0,
  next_attempt_at  bigint,
  lease_owner      text,
  lease_until      bigint,
  last_attempt_at  bigint,
  last_status_code integer,
  last_error       text,
  created_at       bigint NOT NULL,
  updated_at       bigint NOT NULL
);
-- The claim reads only due pending rows, in due order (FOR UPDATE SKIP LOCKED walks it).
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'in_flight';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, seq);

-- No primary key: attempts are read by delivery only, and each index is pages written on the
-- delivery path.
CREATE TABLE attempts (
  id              text NOT NULL,
  delivery_id     text NOT NULL REFERENCES deliveries (id),
  created_at      bigint NOT NULL,
  duration_ms     integer NOT NULL,
  status_code     integer,
  response_body   text,
  error_kind      text,
  error_message   text,
  request_headers jsonb NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, created_at);

CREATE TABLE idempotency_keys (
  tenant_id    text NOT NULL,
  key          text NOT NULL,
  operation    text NOT NULL,
  request_hash text NOT NULL,
  resource_id  text NOT NULL,
  created_at   bigint NOT NULL,
  PRIMARY KEY (tenant_id, operation, key)
);
`;
