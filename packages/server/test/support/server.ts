import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/config/config.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { type Server, startServer } from "../../src/serve.ts";

export const API_KEY = "hk_test_root_key_0123456789";

export interface TestServer extends Server {
  config: Config;
  /** Calls the API with the root key; JSON in, JSON out. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: any JSON the API answers; the assertions check it
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * A real server on a fresh SQLite file in a temporary folder, listening on loopback, allowed to
 * deliver to loopback (the receivers in tests live there).
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    allowLoopback?: boolean;
    clock?: () => number;
    /** A `postgres://` URL (test/fresh-database.ts); default a fresh SQLite file. */
    database?: string;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-test-"));
  const allowNetwork = options.allowLoopback === false ? [] : ["127.0.0.0/8"];
  const config = loadConfig(
    { port: "0", database: options.database ?? join(dir, "hookline.db"), allowNetwork },
    { HOOKLINE_API_KEY: API_KEY, ...env },
  );
  const server = await startServer(config, {
    logger: false,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  return {
    ...server,
    config,
    async api(method, path, body, headers = {}) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
    },
    async stop() {
      await server.close(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
