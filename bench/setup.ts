import type { ChildProcess } from "node:child_process";
import { generateSecret } from "../packages/webhooks/src/index.ts";
import { type Hookline, startHookline } from "./hookline.ts";
import type { LimitItem } from "./limit.ts";
import { type Phase, type Receiver, startReceiver } from "./receiver.ts";
import { type CpuSplit, cpuMeter, memory } from "./system.ts";
import { eventBytes, limitEventId } from "./workload.ts";

/** Hookline's fixed limits (docs/configuration.md): attempts in flight in all and per endpoint. */
export const MAX_IN_FLIGHT = 256;
export const MAX_IN_FLIGHT_PER_ENDPOINT = 32;
/** Concurrent POST /v1/events of the client that feeds Hookline. */
export const CLIENT_CONCURRENCY = 32;
/**
 * The driver a new user tries first (issue 15): 50 concurrent keep-alive clients. It showed
 * stalls that 32 hid, so the scenarios written for that issue use it.
 */
export const NEW_USER_CLIENTS = 50;
/** The longest wait for a phase's deliveries: past it the benchmark fails instead of hanging. */
export const WAIT_MS = 120_000;

export interface RunContext {
  children: Set<ChildProcess>;
  /** Extra node flags for the Hookline child (profiling), given the scenario's name. */
  serverNodeOptions(scenario: string): string[];
  log(line: string): void;
}

/** CLOCK_MONOTONIC in ns, comparable with the receiver's timestamps (another process). */
export const now = () => Number(process.hrtime.bigint());
export const toMs = (ns: number) => ns / 1e6;

export interface Setup {
  receiver: Receiver;
  hookline: Hookline;
  targets: { url: string; secret: string }[];
  /** Hookline's ids of the endpoints, in the order of `targets`. */
  endpointIds: string[];
  /** Concurrent keep-alive clients of Hookline's API (its pool's size). */
  clients: number;
  /** Hookline's resident set once started and configured, before any event. */
  idleRss: number;
}

/** A receiver child with one endpoint per secret, and a fresh Hookline with those endpoints. */
export async function setUp(
  ctx: RunContext,
  scenario: string,
  endpoints: number,
  options: {
    hang?: boolean;
    args?: string[];
    env?: Record<string, string>;
    built?: boolean;
    /** Concurrent API clients; CLIENT_CONCURRENCY unless said. */
    clients?: number;
  } = {},
): Promise<Setup> {
  const clients = options.clients ?? CLIENT_CONCURRENCY;
  const secrets = Array.from({ length: endpoints }, () => generateSecret());
  const receiver = await startReceiver(secrets, {
    hang: options.hang === true,
    children: ctx.children,
  });
  const hookline = await startHookline({
    children: ctx.children,
    connections: clients,
    nodeOptions: ctx.serverNodeOptions(scenario),
    args: options.args ?? [],
    ...(options.env ? { env: options.env } : {}),
    built: options.built === true,
  });
  const targets = receiver.urls.map((url, i) => ({ url, secret: secrets[i]! }));
  const endpointIds: string[] = [];
  for (const target of targets) {
    endpointIds.push(await hookline.createEndpoint(target.url, target.secret));
  }
  return { receiver, hookline, targets, endpointIds, clients, idleRss: memory(hookline.pid).rss };
}

/** The receiver first: attempts still hanging on it end at once, so Hookline stops quickly. */
export async function tearDown(setup: Setup): Promise<void> {
  await setup.receiver.stop();
  await setup.hookline.stop();
}

/** Event-major items for the limit: event n to endpoint 0, 1, …, as Hookline fans out. */
export function limitItems(run: string, events: number, targets: Setup["targets"]): LimitItem[] {
  const items: LimitItem[] = [];
  for (let n = 0; n < events; n++) {
    const id = limitEventId(run, n);
    const body = eventBytes(id, n, targets.length);
    for (const target of targets) items.push({ target, id, body });
  }
  return items;
}

/** Receipt latencies, ms: for each delivery, receiver hrtime minus the sender's t0 of its event. */
export function latencies(phase: Phase, t0: Map<string, number>): number[] {
  const values: number[] = [];
  for (const [key, time] of phase.received) {
    const start = t0.get(key.slice(key.indexOf("/") + 1));
    if (start !== undefined) values.push(toMs(time - start));
  }
  return values;
}

/** CPU of the driver (this process), the receiver and Hookline from now: call the result to read. */
export function meterAll(setup: Setup): () => CpuSplit {
  return cpuMeter({
    driver: process.pid,
    receiver: setup.receiver.pid,
    hookline: setup.hookline.pid,
  });
}
