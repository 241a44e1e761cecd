import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryInbox, type Inbox } from "../../../src/index.ts";
import { createPostgresInbox } from "../../../src/receive/inbox/postgres.ts";
import { createSqliteInbox } from "../../../src/receive/inbox/sqlite.ts";
import { freshDatabase } from "./postgres.ts";

export interface TestInbox {
  inbox: Inbox;
  /** Another inbox on the same storage, as a second process would open it. */
  reopen(): Promise<Inbox>;
  cleanup(): Promise<void>;
}

/** Each kind of inbox, on fresh storage: a new SQLite file, a new PostgreSQL database. */
export const inboxKinds: [name: string, open: () => Promise<TestInbox>][] = [
  [
    "memory",
    async () => {
      const inbox = createMemoryInbox();
      return { inbox, reopen: async () => inbox, cleanup: async () => {} };
    },
  ],
  [
    "sqlite",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "hookline-inbox-"));
      const file = join(dir, "inbox.db");
      const opened: Inbox[] = [createSqliteInbox(file)];
      return {
        inbox: opened[0]!,
        reopen: async () => {
          const inbox = createSqliteInbox(file);
          opened.push(inbox);
          return inbox;
        },
        cleanup: async () => {
          for (const inbox of opened) await inbox.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    "postgres",
    async () => {
      const db = await freshDatabase();
      const opened: Inbox[] = [await createPostgresInbox(db.url)];
      return {
        inbox: opened[0]!,
        reopen: async () => {
          const inbox = await createPostgresInbox(db.url);
          opened.push(inbox);
          return inbox;
        },
        cleanup: async () => {
          for (const inbox of opened) await inbox.close();
          await db.drop();
        },
      };
    },
  ],
];
