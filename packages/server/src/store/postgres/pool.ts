import pg from "pg";

/**
 * A pool whose bigint columns (unix-ms times, counts) read as numbers, as the Store interface
 * says: unix milliseconds stay below 2^53 for another 280,000 years, and counts here far below.
 * The parser is set on this pool only, not on `pg.types`, so other users of `pg` in the process
 * (the receiver SDK's inbox) keep the driver's defaults.
 */
export function createPool(
  url: string,
  options: { max?: number; connectionTimeoutMs?: number } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // A call waits at most this long for a connection (a new one, or a free one from a busy
    // pool), then fails as database_unavailable: without it, a request made while the database
    // is away waits for it for ever, and the API answers nothing instead of a 503.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
    // A database host that vanished without closing its sockets (a failover, a pulled cable) is
    // noticed by TCP keepalive instead of never.
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === pg.types.builtins.INT8
          ? Number
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection (a database restart) must not crash the process: the
  // pool drops it and the next query connects afresh.
  pool.on("error", () => {});
  return pool;
}

/** Runs `work` in one transaction on one connection; rolls back if it throws. */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const lost = holdSafely(client);
  let broken: unknown;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollback: unknown) => {
      broken = rollback;
    });
    throw error;
  } finally {
    lost.stop();
    // A client whose connection failed is destroyed instead of going back to the pool.
    client.release(lost.error ?? (broken as Error | undefined));
  }
}

/**
 * A client checked out of the pool has no `error` listener: pg-pool removes its own while the
 * client is lent. pg emits `error` on a client whose connection drops even when a query was
 * running and already failed with the same error (pg 8, Client's 'end' handler), and an
 * `error` event nobody listens to kills the process. So whoever holds a client listens until
 * it gives the client back, and gives back a broken one as broken.
 */
export function holdSafely(client: pg.ClientBase): { error: Error | undefined; stop(): void } {
  const held = {
    error: undefined as Error | undefined,
    stop: () => client.removeListener("error", onError),
  };
  const onError = (error: Error) => {
    held.error = error;
  };
  client.on("error", onError);
  return held;
}

/** How long a call waits for a connection before it fails (database_unavailable). */
export const CONNECTION_TIMEOUT_MS = 5000;

/** The channel a commit that makes deliveries due notifies; every worker node listens on it. */
export const DUE_CHANNEL = "hookline_deliveries_due";
export const NOTIFY_DUE = `SELECT pg_notify('${DUE_CHANNEL}', '')`;
