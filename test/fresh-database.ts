import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import type {} from "./postgres-global-setup.ts";

export interface FreshDatabase {
  url: string;
  /** An admin-ish pool on the new database, for reading rows behind the store's back. */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the run's PostgreSQL server (postgres-global-setup.ts beside this file), so
 * each test starts from nothing and runs beside others; `drop` removes it, connections and all.
 */
export async function freshDatabase(options: { poolSize?: number } = {}): Promise<FreshDatabase> {
  const serverUrl = inject("databaseUrl");
  const name = `hookline_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: options.poolSize ?? 4 });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
