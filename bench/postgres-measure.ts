import { closedLoop, openLoop } from "./load.ts";
import type { startReceiver } from "./postgres-setup.ts";
import { CLIENTS, type System } from "./postgres-systems.ts";
import { type Distribution, distribution } from "./stats.ts";

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The longest wait for a phase's deliveries; past it a drain reports how far it got. */
const WAIT_MS = 180_000;

/** Resolves true once every id arrived, false after `timeoutMs`. */
async function allReceived(receiver: Receiver, ids: string[], timeoutMs = WAIT_MS) {
  const deadline = performance.now() + timeoutMs;
  for (const id of ids) {
    while (!receiver.received.has(id)) {
      if (performance.now() > deadline) return false;
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }
  return true;
}

const lastReceipt = (receiver: Receiver, ids: string[]) =>
  Math.max(...ids.map((id) => receiver.received.get(id) ?? 0));

/** Events `first` … `first + events - 1` sent by `CLIENTS` concurrent clients; their ids. */
async function sendAll(system: System, first: number, events: number): Promise<string[]> {
  const ids: string[] = [];
  await closedLoop(events, CLIENTS, async (i) => {
    ids.push(await system.send(first + i));
  });
  return ids;
}

/** Burst: as fast as the clients send, first send to last receipt. */
export async function burst(system: System, receiver: Receiver, first: number, events: number) {
  const start = performance.now();
  const ids = await sendAll(system, first, events);
  if (!(await allReceived(receiver, ids))) {
    throw new Error(`burst: deliveries missing after ${WAIT_MS / 1000} s`);
  }
  return { perSecond: events / ((lastReceipt(receiver, ids) - start) / 1000) };
}

/** A steady `rate` events/s for `seconds`: send → receipt, ms. */
export async function paced(
  system: System,
  receiver: Receiver,
  first: number,
  rate: number,
  seconds: number,
): Promise<Distribution> {
  const t0 = new Map<string, number>();
  await openLoop(rate * seconds, rate, async (i) => {
    const at = performance.now();
    t0.set(await system.send(first + i), at);
  });
  if (!(await allReceived(receiver, [...t0.keys()]))) {
    throw new Error(`at ${rate}/s: deliveries missing after ${WAIT_MS / 1000} s`);
  }
  return distribution([...t0].map(([id, at]) => receiver.received.get(id)! - at));
}

export interface DrainFigures {
  complete: boolean;
  delivered: number;
  perSecond: number;
}

/**
 * Backlog drain: `events` events sent while the system holds them, then released with nothing
 * else sent; from the release to the last receipt (or to the end of the wait).
 */
export async function drain(
  system: System,
  receiver: Receiver,
  first: number,
  events: number,
): Promise<DrainFigures> {
  await system.hold();
  const ids = await sendAll(system, first, events);
  const early = ids.filter((id) => receiver.received.has(id)).length;
  if (early > 0) throw new Error(`drain: ${early} deliveries arrived while held`);
  const { at, requeued } = await system.release();
  if (requeued !== undefined && requeued !== events) {
    throw new Error(`drain: recover requeued ${requeued} of ${events}`);
  }
  const complete = await allReceived(receiver, ids);
  const delivered = ids.filter((id) => receiver.received.has(id)).length;
  const end = complete ? lastReceipt(receiver, ids) : performance.now();
  return { complete, delivered, perSecond: delivered / ((end - at) / 1000) };
}
