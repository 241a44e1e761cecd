// How long a listener may take to answer one delivery, and what that asks of the lease.

/**
 * Unless the listener asks otherwise (`hookline listen --timeout`): what a real endpoint gets
 * by default (HOOKLINE_DELIVERY_TIMEOUT), and within what PostgreSQL nodes allow under their
 * default 60 s lease (20 s, see maxListenTimeoutMs); 30 s was refused there.
 */
export const DEFAULT_LISTEN_TIMEOUT_MS = 15_000;

/** The longest a listener may ask for: long enough to step through a handler in a debugger. */
export const MAX_LISTEN_TIMEOUT_MS = 3_600_000;

/** Added to the listener's timeout for its report to travel back before the attempt times out. */
export const REPORT_GRACE_MS = 10_000;

/**
 * The longest timeout a listener may ask for under this lease. A delivery stays leased while
 * its listener works on it; were the lease to run out first, the delivery would be reclaimed
 * and sent again. Half the lease leaves room for the claim and the report.
 */
export function maxListenTimeoutMs(leaseMs: number): number {
  return Math.max(0, Math.min(MAX_LISTEN_TIMEOUT_MS, Math.floor(leaseMs / 2) - REPORT_GRACE_MS));
}

/**
 * The lease a single-process (SQLite) server uses so that listeners may take up to the maximum.
 * A long lease costs such a server nothing: at start it takes back every lease of the process
 * before it, expired or not. Several nodes sharing PostgreSQL keep HOOKLINE_LEASE as set, since
 * it bounds how long a crashed node's deliveries wait; their listeners get at most half of it.
 */
export function singleNodeLeaseMs(leaseMs: number): number {
  return Math.max(leaseMs, 2 * (MAX_LISTEN_TIMEOUT_MS + REPORT_GRACE_MS));
}
