import { startStore } from "./server.ts";

const secret = process.env.STORE_WEBHOOK_SECRET;
if (!secret) {
  console.error("set STORE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_…)");
  process.exit(1);
}
const store = await startStore({
  database: process.env.STORE_DATABASE ?? "./store.db",
  secrets: secret.split(","),
  port: Number(process.env.PORT ?? 3000),
});
console.log(`store listening on ${store.url}/webhooks`);
