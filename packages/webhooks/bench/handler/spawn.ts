import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface Spawned {
  child: ChildProcess;
  port: number;
}

/**
 * Starts the contender named `name` in its own process (server.ts) and resolves once it listens.
 * `profileDir`: run it under --cpu-prof, writing there.
 */
export async function spawnContender(
  name: string,
  env: { secret: string; sqlitePath: string; databaseUrl?: string | undefined },
  profileDir?: string,
): Promise<Spawned> {
  const child = spawn(
    process.execPath,
    [
      // Every server but the peers idles between its turns, and V8's memory reducer shrinks an
      // idle heap, so the next burst starts with a tiny young generation: in a full run the floor
      // came out at 0.64x constructEvent (1.20x when measured alone). Off for all of them alike.
      "--no-memory-reducer",
      "--import",
      "tsx",
      ...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
      fileURLToPath(new URL("./server.ts", import.meta.url)),
      name,
    ],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        HOOKLINE_BENCH_SECRET: env.secret,
        HOOKLINE_BENCH_SQLITE: env.sqlitePath,
        ...(env.databaseUrl ? { HOOKLINE_BENCH_DATABASE_URL: env.databaseUrl } : {}),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error(`${name} exited before listening`);
  return { child, port: (JSON.parse(first.value) as { port: number }).port };
}

/** CPU ms a process used so far, all its threads (Linux /proc; 0 elsewhere or once it exited). */
export function processCpuMs(pid: number): number {
  const tick = 1000 / 100; // USER_HZ is 100 on every Linux Node supports
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * tick;
  } catch {
    return 0;
  }
}
