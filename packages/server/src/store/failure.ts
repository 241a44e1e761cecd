import { StoreFailure } from "./errors.ts";

// PostgreSQL SQLSTATEs (Appendix A of its manual). Class 08 is "connection exception"; 57P01-03
// are an administrator's or a crash's shutdown and "the database system is starting up" (what a
// client meets during recovery after an immediate shutdown); 53300 is too_many_connections;
// 25006 is a write on a hot standby (a failover that pointed the URL at a replica); 53100 is
// disk_full ("could not extend file: No space left on device").
const PG_DISK_FULL = "53100";
const PG_UNAVAILABLE = new Set(["57P01", "57P02", "57P03", "53300", "25006", "58030"]);

// What Node's sockets and file system say when the database's host or disk goes away.
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// pg and pg-pool raise these without a code (pg 8.x, lib/client.js and pg-pool/index.js).
const PG_CONNECTION_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "is not queryable",
  "Query read timeout",
];

/**
 * Says whether a driver's error means the store is away for a while (`database_unavailable`) or
 * out of disk (`disk_full`), or is something else: a bug, a constraint, bad input, which are not
 * the database's absence and must not be answered as such.
 */
export function classifyStoreError(error: unknown): StoreFailure | undefined {
  for (const each of causes(error)) {
    const code = (each as { code?: unknown }).code;
    if (typeof code === "string") {
      // better-sqlite3: SQLITE_FULL (the unix VFS turns ENOSPC into it); BUSY and LOCKED past
      // busy_timeout; IOERR, CANTOPEN and READONLY when the file or its folder went away.
      if (code === "SQLITE_FULL" || code === "ENOSPC" || code === PG_DISK_FULL)
        return StoreFailure.diskFull;
      if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|READONLY)/.test(code))
        return StoreFailure.unavailable;
      if (code.startsWith("08") || PG_UNAVAILABLE.has(code) || NETWORK.has(code))
        return StoreFailure.unavailable;
    }
    const message = (each as { message?: unknown }).message;
    if (typeof message === "string" && PG_CONNECTION_MESSAGES.some((m) => message.includes(m)))
      return StoreFailure.unavailable;
  }
  return undefined;
}

/** The error, its `cause` chain and an AggregateError's members (Node's connect to several addresses). */
function* causes(error: unknown, depth = 0): Generator<object> {
  if (typeof error !== "object" || error === null || depth > 5) return;
  yield error;
  if (error instanceof AggregateError) for (const e of error.errors) yield* causes(e, depth + 1);
  yield* causes((error as { cause?: unknown }).cause, depth + 1);
}
