// The transactional outbox is PostgreSQL's only (docs/outbox.md says why): on SQLite this
// number is taken so both stores keep one numbering. Forward-only.
export const sql = "-- nothing on SQLite";
