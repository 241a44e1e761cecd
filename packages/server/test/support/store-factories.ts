import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { TenantStore } from "../../src/store/tenant-types.ts";
import type { Store } from "../../src/store/types.ts";
import { freshDatabase } from "./postgres.ts";

// The stores every contract suite runs against: a fresh SQLite file, a fresh PostgreSQL database.

export interface Opened {
  store: Store & TenantStore;
  cleanup(): Promise<void>;
}

export const factories = [
  {
    name: "SQLite",
    async open(): Promise<Opened> {
      const dir = mkdtempSync(join(tmpdir(), "hookline-contract-"));
      const store = createSqliteStore(join(dir, "hookline.db"), { durability: "process" });
      return {
        store,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "PostgreSQL",
    async open(): Promise<Opened> {
      const db = await freshDatabase();
      const store = await createPostgresStore(db.url, { poolSize: 4 });
      return {
        store,
        async cleanup() {
          await store.close();
          await db.drop();
        },
      };
    },
  },
];
