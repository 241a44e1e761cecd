import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSqliteInbox } from "@hookline/webhooks/inbox/sqlite";
import { toNodeListener } from "@hookline/webhooks/node";
import Database from "better-sqlite3";
import { openShop, type Shop } from "./shop.ts";
import { storeWebhooks } from "./webhooks.ts";

export interface Store {
  url: string;
  shop: Shop;
  /** Resolves when no webhook handler runs in the background any more. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the shop: `POST /webhooks` takes Hookline's deliveries. */
export async function startStore(options: {
  database: string;
  secrets: string | string[];
  port?: number;
  host?: string;
}): Promise<Store> {
  const db = new Database(options.database);
  db.pragma("journal_mode = WAL");
  const shop = openShop(db);
  const inbox = createSqliteInbox(db);
  const webhooks = storeWebhooks(shop, { secrets: options.secrets, inbox });
  const listener = toNodeListener(webhooks);
  const server = createServer((req, res) => {
    if (req.url === "/webhooks") return void listener(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    shop,
    settled: () => webhooks.drain(),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await webhooks.drain();
      await webhooks.close();
      db.close();
    },
  };
}
