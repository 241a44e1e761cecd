import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import type {} from "../../../../../test/postgres-global-setup.ts";

export interface FreshDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the run's PostgreSQL server (see test/postgres-global-setup.ts), so
 * each test starts from nothing and can run beside others.
 */
export async function freshDatabase(): Promise<FreshDatabase> {
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
  const pool = new pg.Pool({ connectionString: url.toString(), max: 20 });
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
