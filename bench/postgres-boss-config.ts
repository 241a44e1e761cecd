import { createRequire } from "node:module";

/**
 * How the pg-boss baseline's worker runs (bench/postgres-boss.ts), printed in the report. The
 * first baseline polled 4 workers × 8 jobs every 0.5 s and was capped at 64 jobs/s by that
 * poll alone; this one is configured the way pg-boss 10's docs allow a queue to go faster:
 * several `work()` loops (pg-boss 10 dropped `teamSize`: each call is one polling loop), batch
 * fetches, the shortest poll it accepts (0.5 s, its MIN_POLLING_INTERVAL_MS), and a loop whose
 * batch came back full fetching again at once (`notifyWorker`, which skips the next wait), so
 * the poll only paces an idle worker.
 */
export const BOSS = {
  workers: 5,
  batchSize: 20,
  pollingIntervalSeconds: 0.5,
  refetchWhenFull: true,
  /** Sockets to the receiver: Hookline's per-endpoint cap. */
  httpConnections: 32,
  /** Each pg-boss instance's pool (the producer's and the worker's). */
  poolMax: 10,
} as const;

const version = (createRequire(import.meta.url)("pg-boss/package.json") as { version: string })
  .version;

export function describeBoss(): string {
  return `pg-boss ${version} in its own process: ${BOSS.workers} \`work()\` loops × \`batchSize: ${BOSS.batchSize}\`, \`pollingIntervalSeconds: ${BOSS.pollingIntervalSeconds}\` (pg-boss's minimum)${BOSS.refetchWhenFull ? ", a loop whose batch came back full fetches again at once (`notifyWorker`)" : ""}; each job signed with \`sign\` and POSTed with an undici Pool of ${BOSS.httpConnections} connections; pg pool of ${BOSS.poolMax}; the producer calls \`boss.send\` once per event`;
}
