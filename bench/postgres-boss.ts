/**
 * The baseline's worker, run as its own process as a deployment would: pg-boss workers that sign
 * each job's event with @hookline/webhooks `sign` and POST it with undici, configured by
 * bench/postgres-boss-config.ts. Signals let the benchmark hold a backlog: SIGUSR1 stops the
 * workers (prints `held`), SIGUSR2 starts them again (prints `working`).
 *
 *   tsx bench/postgres-boss.ts <database url> <target url> <secret>
 */
import PgBoss from "pg-boss";
import { Pool } from "undici";
import { sign } from "../packages/webhooks/src/index.ts";
import { BOSS } from "./postgres-boss-config.ts";
import { type Job, QUEUE } from "./postgres-setup.ts";

const [url, target, secret] = process.argv.slice(2) as [string, string, string];
const boss = new PgBoss({ connectionString: url, max: BOSS.poolMax });
boss.on("error", (error) => process.stderr.write(`pg-boss: ${String(error)}\n`));
await boss.start();
await boss.createQueue(QUEUE);
const origin = new URL(target);
const http = new Pool(origin.origin, { connections: BOSS.httpConnections });

async function deliver(job: PgBoss.Job<Job>): Promise<void> {
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
}

async function startWorkers(): Promise<void> {
  for (let i = 0; i < BOSS.workers; i++) {
    let id = "";
    const options = {
      batchSize: BOSS.batchSize,
      pollingIntervalSeconds: BOSS.pollingIntervalSeconds,
    };
    id = await boss.work<Job>(QUEUE, options, async (jobs) => {
      // A full batch says more may be queued: skip the wait before this loop's next fetch.
      if (BOSS.refetchWhenFull && jobs.length === BOSS.batchSize) boss.notifyWorker(id);
      await Promise.all(jobs.map(deliver));
    });
  }
}

await startWorkers();
process.stdout.write("ready\n");
process.on("SIGUSR1", () => {
  void boss.offWork(QUEUE).then(() => process.stdout.write("held\n"));
});
process.on("SIGUSR2", () => {
  void startWorkers().then(() => process.stdout.write("working\n"));
});
process.on("SIGTERM", () => {
  void boss.stop({ graceful: false }).finally(() => process.exit(0));
});
