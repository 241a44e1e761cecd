import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DestinationStream } from "pino";
import { loadConfig } from "../../src/config/load-config.ts";
import { type Server, startServer } from "../../src/serve.ts";
import { API_KEY } from "./server.ts";

export interface ObservedServer extends Server {
  // biome-ignore lint/suspicious/noExplicitAny: any JSON the API answers; the assertions check it
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Scrapes /metrics (no API key): series (`name{labels}`) → value. */
  metrics(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/**
 * A real server on a fresh SQLite file, on loopback, allowed to deliver to loopback, with the
 * clock, environment and log destination a test chooses.
 */
export async function startObservedServer(
  options: {
    env?: Record<string, string>;
    clock?: () => number;
    logDestination?: DestinationStream;
  } = {},
): Promise<ObservedServer> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-observed-"));
  const config = loadConfig(
    { port: "0", database: join(dir, "hookline.db"), allowNetwork: ["127.0.0.0/8"] },
    { HOOKLINE_API_KEY: API_KEY, ...options.env },
  );
  const server = await startServer(config, {
    ...(options.logDestination === undefined
      ? { logger: false }
      : { logDestination: options.logDestination }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  return {
    ...server,
    async api(method, path, body) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
    },
    async metrics() {
      const response = await fetch(`${server.url}/metrics`);
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return parseExposition(await response.text());
    },
    async stop() {
      await server.close(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Prometheus text format: one series per non-comment line, `name{labels} value`. */
export function parseExposition(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}
