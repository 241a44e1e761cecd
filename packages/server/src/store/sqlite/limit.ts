/**
 * `LIMIT` with its count bound as a parameter, in the form SQLite does not recompile.
 *
 * SQLite's planner reads a plain `LIMIT ?` when it costs an `ORDER BY … LIMIT`, so it marks the
 * statement to be prepared again whenever that parameter is bound, which better-sqlite3 does on
 * every run. Written as an expression the planner does not look into, the statement keeps its
 * plan (the same one: the limit did not change it for any statement here) and returns the same
 * rows. Measured on the claim's queries over one endpoint's backlog: 40–90 µs a run with
 * `LIMIT ?`, 2–3 µs with this; it was a third of a claim's cost per delivery.
 */
export const LIMIT_PARAM = "LIMIT (? + 0)";
