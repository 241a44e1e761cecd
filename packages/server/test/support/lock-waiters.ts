import pg from "pg";

/**
 * Resolves "waiting" once at least `n` backends of the database wait on a lock, or "settled"
 * if `done` settles first: how a test knows the statement it started has reached the lock
 * another connection holds (and, when it settles instead, that it never waited for it). Only
 * this database's backends count: other test files run beside it on the same server.
 */
export async function lockWaiters(
  url: string,
  n: number,
  done: Promise<unknown>,
): Promise<"waiting" | "settled"> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  void done.then(mark, mark);
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  try {
    for (;;) {
      if (settled) return "settled";
      const { rows } = await probe.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n >= n) return "waiting";
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await probe.end();
  }
}
