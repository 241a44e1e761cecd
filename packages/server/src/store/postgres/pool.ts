import pg from "pg";

/**
 * A pool whose bigint columns (unix-ms times, counts) read as numbers, as the Store interface
 * says: unix milliseconds stay below 2^53 for another 280,000 years, and counts here far below.
 * The parser is set on this pool only, not on `pg.types`, so other users of `pg` in the process
 * (the receiver SDK's inbox) keep the driver's defaults.
 */
export function createPool(url: string, options: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
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
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The channel a commit that makes deliveries due notifies; every worker node listens on it. */
export const DUE_CHANNEL = "hookline_deliveries_due";
export const NOTIFY_DUE = `SELECT pg_notify('${DUE_CHANNEL}', '')`;
