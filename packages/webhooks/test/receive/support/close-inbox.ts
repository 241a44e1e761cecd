// Opens a SQLite inbox on argv[2], claims one event, closes it and says so: with nothing else
// keeping this process alive, `close()` must still finish. Usage: node --import tsx close-inbox.ts <file>
import { createSqliteInbox } from "../../../src/receive/inbox/sqlite.ts";

const inbox = createSqliteInbox(process.argv[2]!);
await inbox.claim(
  { id: "evt_close", type: "invoice.paid", payload: "{}" },
  { now: Date.now(), leaseMs: 60_000, token: "tok_close" },
);
await inbox.close();
process.stdout.write("closed\n");
