import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";

// HOOKLINE_BENCH_ROOT runs the server of another checkout (to compare two branches on one
// machine); by default, this one's.
const root = resolve(
  process.env.HOOKLINE_BENCH_ROOT ?? fileURLToPath(new URL("..", import.meta.url)),
);
const cli = join(root, "packages/server/src/cli.ts");
const builtCli = join(root, "packages/server/dist/cli.js");
export const API_KEY = "hk_bench_root_key_0123456789";

export interface Hookline {
  url: string;
  pid: number;
  /** The API with the root key, over a keep-alive pool of `connections` sockets. */
  api: Pool;
  /** Creates an endpoint for every event type with a chosen secret; returns its id. */
  createEndpoint(url: string, secret: string): Promise<string>;
  /** Creates a tenant with a chosen id; returns it. */
  createTenant(id: string, name: string): Promise<string>;
  /** Disables (true) or enables (false) an endpoint: `POST /v1/webhook_endpoints/{id}`. */
  setDisabled(endpoint: string, disabled: boolean): Promise<void>;
  /** `POST /v1/webhook_endpoints/{id}/recover` from `since` (unix s); resolves with `requeued`. */
  recover(endpoint: string, since: number): Promise<number>;
  /** SIGTERM (graceful: a CPU profile gets written), SIGKILL after 15 s; removes the database. */
  stop(): Promise<void>;
}

export const authorization = { authorization: `Bearer ${API_KEY}` };

/**
 * Runs the real `hookline serve` from source in a child process, as the tests do, on a fresh
 * SQLite file, allowed to deliver to loopback. `nodeOptions` go to that child only (profiling).
 */
export async function startHookline(options: {
  children: Set<ChildProcess>;
  connections: number;
  args?: string[];
  nodeOptions?: string[];
  /** Extra environment for the child (a diagnostic run may want HOOKLINE_LOG_LEVEL=info). */
  env?: Record<string, string>;
  /** Sees everything the child prints on stdout (its JSON log lines). */
  onStdout?: (chunk: Buffer) => void;
  /** Runs the build (`packages/server/dist`, what `npm start` runs) instead of the source. */
  built?: boolean;
}): Promise<Hookline> {
  if (options.built === true && !existsSync(builtCli)) {
    throw new Error(`${builtCli} is missing: run \`npm run build\` first`);
  }
  const dir = mkdtempSync(join(tmpdir(), "hookline-bench-"));
  // Also when the driver dies before stop(): no database files left behind in the temp folder.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeOptions ?? []),
      ...(options.built === true ? [builtCli] : ["--conditions=source", "--import", "tsx", cli]),
      "serve",
      "--port",
      "0",
      "--database",
      join(dir, "hookline.db"),
      "--allow-network",
      "127.0.0.0/8",
      ...(options.args ?? []),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        HOOKLINE_API_KEY: API_KEY,
        HOOKLINE_LOG_LEVEL: "warn",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  options.children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => options.onStdout?.(chunk));
  const onOutput = (chunk: Buffer) => {
    // Keep the start banner and any warning, bounded: a long run must not grow this string.
    if (output.length < 20_000) output += chunk.toString();
  };
  child.stdout!.on("data", onOutput);
  child.stderr!.on("data", (chunk: Buffer) => {
    onOutput(chunk);
    process.stderr.write(`[hookline] ${chunk.toString()}`);
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`hookline did not start:\n${output}`)), 30_000);
    child.stdout!.on("data", () => {
      const match = /Hookline is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        // The banner says localhost; the server binds 127.0.0.1, so skip the resolver.
        resolveUrl(match[1]!.replace("localhost", "127.0.0.1"));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hookline serve exited with ${code}:\n${output}`));
    });
  });
  const api = new Pool(url, { connections: options.connections, pipelining: 1 });

  return {
    url,
    pid: child.pid!,
    api,
    createEndpoint: async (target, secret) =>
      (await post(api, "/v1/webhook_endpoints", { url: target, enabled_events: ["*"], secret }))
        .id as string,
    createTenant: async (id, name) => (await post(api, "/v1/tenants", { id, name })).id as string,
    async setDisabled(endpoint, disabled) {
      await post(api, `/v1/webhook_endpoints/${endpoint}`, { disabled });
    },
    recover: async (endpoint, since) =>
      (await post(api, `/v1/webhook_endpoints/${endpoint}/recover`, { since })).requeued as number,
    async stop() {
      await api.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      options.children.delete(child);
      removeDir();
      process.off("exit", removeDir);
    },
  };
}

/** POSTs JSON with the root key; resolves with the answer's object, throws unless 200. */
async function post(api: Pool, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await api.request({
    path,
    method: "POST",
    headers: { ...authorization, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(`POST ${path}: ${response.statusCode} ${text}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** POSTs one event through the public API; resolves with the id Hookline gave it. */
export async function postEvent(
  api: Pool,
  body: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await api.request({
    path: "/v1/events",
    method: "POST",
    headers: { ...authorization, "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(`POST /v1/events answered ${response.statusCode}: ${text.slice(0, 300)}`);
  }
  // The answer is the stored event, which starts with its id: no need to parse 1 KB of JSON.
  const match = /^\{"id":"(evt_[^"]+)"/.exec(text);
  return match ? match[1]! : (JSON.parse(text) as { id: string }).id;
}
