// Ordered delivery per key (docs/ordering.md). Mirrors SQLite's 0005, plus what several nodes
// need: `ordering_keys.running` is the key's mutex. The claim locks a key's row FOR UPDATE SKIP
// LOCKED and takes a delivery of it only while `running` is null, a condition PostgreSQL
// re-checks on the row's latest version once locked; the trigger below sets it when a keyed
// delivery goes in flight and clears it when that delivery leaves (outcome, give-back, lease
// reclaim, cancel), whichever statement moved it. Two nodes can then never hold deliveries of
// one key at once, whatever their snapshots saw. Forward-only.
export const sql = `
ALTER TABLE events ADD COLUMN ordering_key text;
ALTER TABLE endpoints ADD COLUMN ordering text NOT NULL DEFAULT 'none';
ALTER TABLE deliveries ADD COLUMN ordering_key text;
ALTER TABLE deliveries ADD COLUMN sequence bigint;

CREATE TABLE ordering_keys (
  endpoint_id   text NOT NULL,
  ordering_key  text NOT NULL,
  last_sequence bigint NOT NULL,
  running       bigint,
  PRIMARY KEY (endpoint_id, ordering_key)
);

CREATE INDEX deliveries_open_key ON deliveries (endpoint_id, ordering_key, sequence)
  WHERE ordering_key IS NOT NULL AND status IN ('pending', 'in_flight');

CREATE FUNCTION hookline_ordering_key_running() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.status = 'in_flight' THEN
    UPDATE ordering_keys SET running = NEW.seq
      WHERE endpoint_id = NEW.endpoint_id AND ordering_key = NEW.ordering_key;
  ELSE
    UPDATE ordering_keys SET running = NULL
      WHERE endpoint_id = NEW.endpoint_id AND ordering_key = NEW.ordering_key AND running = NEW.seq;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER deliveries_ordering_key_running
  AFTER UPDATE OF status ON deliveries FOR EACH ROW
  WHEN (NEW.ordering_key IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status
        AND (OLD.status = 'in_flight' OR NEW.status = 'in_flight'))
  EXECUTE FUNCTION hookline_ordering_key_running();
`;
