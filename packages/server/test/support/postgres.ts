// One fresh database per test, shared with the SDK's tests: see test/fresh-database.ts.
export { type FreshDatabase, freshDatabase } from "../../../../test/fresh-database.ts";
