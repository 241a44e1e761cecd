// A receiver in its own process, for the crash test: ack-first on a SQLite inbox, over node:http,
// with handlers that never finish, so every acknowledged event is still only a receipt when the
// test kills the process. Usage: node --import tsx ack-first-server.ts <file> <durability>;
// prints {"port": n} once listening.
import { createServer } from "node:http";
import { createWebhookHandler } from "../../../src/index.ts";
import { toNodeListener } from "../../../src/receive/adapters/node.ts";
import { createSqliteInbox } from "../../../src/receive/inbox/sqlite.ts";
import { SECRET } from "./events.ts";

const [file, durability] = process.argv.slice(2) as [string, "fsync" | "process"];
const handler = createWebhookHandler({
  secrets: SECRET,
  inbox: createSqliteInbox(file, { durability }),
  mode: "ack-first",
  on: { "invoice.paid": () => new Promise<void>(() => {}) },
});
const server = createServer({ keepAliveTimeout: 60_000 }, toNodeListener(handler));
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`,
  );
});
