// The transactional outbox (docs/outbox.md). Forward-only.
//
// An application writes a row here inside its own transaction (`hookline_emit(…)` or a plain
// INSERT); a Hookline node turns it into an event in the transaction that deletes it
// (store/postgres/outbox.ts), so the event exists if and only if the application committed,
// once. The statement trigger NOTIFYs: PostgreSQL sends it at the application's commit and never
// for a rollback, so a node wakes for rows it can already see.
//
// `data` is `json`, not `jsonb`: json keeps the text as the application wrote it, so the event
// a receiver gets has the application's key order (jsonb sorts keys by length).
// A row Hookline cannot turn into an event (an unknown tenant, a malformed type) is set aside:
// `failed_at` and `error` (the API's error object) are set, the pickup never sees it again,
// and GET /v1/outbox_failures lists it.
// The functions run with the search_path they were created with (SET search_path FROM
// CURRENT), so an application whose search_path differs still reaches this schema's table.
export const sql = `
CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  tenant_id       text NOT NULL DEFAULT 'tn_default',
  type            text NOT NULL,
  data            json NOT NULL,
  idempotency_key text,
  ordering_key    text,
  created_at      bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
  attempts        integer NOT NULL DEFAULT 0,
  error           jsonb,
  failed_at       bigint
);
CREATE INDEX outbox_waiting ON outbox (id) WHERE failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (id) WHERE failed_at IS NOT NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM pg_notify('hookline_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- The documented way in: the event's type, its data ({"object": {…}}), and optionally an
-- idempotency key, a tenant (the default tenant when NULL) and an ordering key (data.object.id
-- when NULL). Returns the row's id.
CREATE FUNCTION hookline_emit(type text, data json, idempotency_key text DEFAULT NULL,
                              tenant text DEFAULT NULL, ordering_key text DEFAULT NULL)
  RETURNS bigint LANGUAGE sql VOLATILE SET search_path FROM CURRENT AS $$
  INSERT INTO outbox (tenant_id, type, data, idempotency_key, ordering_key)
    VALUES (coalesce($4, 'tn_default'), $1, $2, $3, $5)
    RETURNING id
$$;
`;
