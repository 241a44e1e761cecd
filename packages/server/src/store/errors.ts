/** A `starting_after` / `ending_before` id that is not in the list being paged. */
export class UnknownCursorError extends Error {
  override readonly name = "UnknownCursorError";
  readonly param: "starting_after" | "ending_before";
  readonly id: string;

  constructor(param: "starting_after" | "ending_before", id: string) {
    super(`no object ${id} in this list`);
    this.param = param;
    this.id = id;
  }
}

/**
 * Why the store cannot take a write right now: its database cannot be reached (a lost
 * PostgreSQL connection, a server restarting, a pool that could not connect in time, SQLite busy
 * past its timeout), or its disk is full. Both pass: the caller tries again later.
 */
export const StoreFailure = {
  unavailable: "database_unavailable",
  diskFull: "disk_full",
} as const;
export type StoreFailure = (typeof StoreFailure)[keyof typeof StoreFailure];

/**
 * A store call refused for a passing cause; `cause` is the driver's error. Its transaction was
 * rolled back, with one exception no client can rule out: a COMMIT whose answer was lost with the
 * connection may have landed. A retry with the same idempotency key then finds what it created.
 */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  readonly code: StoreFailure;

  constructor(code: StoreFailure, cause: unknown) {
    super(
      code === StoreFailure.diskFull
        ? "the database's disk is full"
        : "the database cannot be reached",
      { cause },
    );
    this.code = code;
  }
}
