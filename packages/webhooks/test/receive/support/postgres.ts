import { type FreshDatabase, freshDatabase as fresh } from "../../../../../test/fresh-database.ts";

export type { FreshDatabase };

/** A fresh database with a pool wide enough for the inbox's concurrency tests. */
export const freshDatabase = (): Promise<FreshDatabase> => fresh({ poolSize: 20 });
