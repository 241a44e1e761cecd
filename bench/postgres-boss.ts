/**
 * The baseline's worker, run as its own process as a deployment would: a pg-boss worker that
 * signs each job's event with @hookline/webhooks `sign` and POSTs it with undici, 32 at a time
 * (Hookline's per-endpoint cap). Polling at pg-boss's minimum interval, 0.5 s: it has no
 * wake-up channel, which is where its latency comes from.
 *
 *   tsx bench/postgres-boss.ts <database url> <target url> <secret>
 */
import PgBoss from "pg-boss";
import { Pool } from "undici";
import { sign } from "../packages/webhooks/src/index.ts";
import { type Job, QUEUE } from "./postgres-setup.ts";

const [url, target, secret] = process.argv.slice(2) as [string, string, string];
const boss = new PgBoss({ connectionString: url, max: 10 });
boss.on("error", (error) => process.stderr.write(`pg-boss: ${String(error)}\n`));
await boss.start();
await boss.createQueue(QUEUE);
const origin = new URL(target);
const http = new Pool(origin.origin, { connections: 32 });
// Four workers of 8 jobs: pg-boss runs a batch's jobs and fetches again when the batch is done.
for (let i = 0; i < 4; i++) {
  await boss.work<Job>(QUEUE, { batchSize: 8, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
        const headers = sign(job.data.body, secret, { scheme: "both", id: job.data.id });
        const response = await http.request({
          method: "POST",
          path: origin.pathname,
          headers: { ...headers, "content-type": "application/json" },
          body: job.data.body,
        });
        await response.body.dump();
        if (response.statusCode < 200 || response.statusCode > 299) {
          throw new Error(`HTTP ${response.statusCode}`);
        }
      }),
    );
  });
}
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void boss.stop({ graceful: false }).finally(() => process.exit(0));
});
