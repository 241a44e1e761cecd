// A producer as the issue describes one: concurrent clients posting events with an
// Idempotency-Key each, retrying refusals until every event is acknowledged, while a fault is
// injected. It records every refusal so a test can check its shape and how long it took.

import { expect } from "vitest";
import { waitFor } from "./server.ts";

export interface Refusal {
  status: number;
  code: string | undefined;
  type: string | undefined;
  retryAfter: string | null;
  /** From sending the request to its answer. */
  ms: number;
  at: number;
}

export interface Burst {
  /** Event number → the id the API acknowledged. */
  accepted: Map<number, string>;
  refusals: Refusal[];
  /** Requests that got no HTTP answer (a socket closed, a node gone). */
  dropped: number;
  done: Promise<void>;
  /**
   * The burst, or what ended it early (an answer other than 200 or 503) thrown, so that a wait
   * on it fails with that.
   */
  check(): Burst;
}

/**
 * Posts `events` events through `clients` concurrent clients, event `n` first to node
 * `n % urls.length`. A 503 or a lost connection is retried (after `retryMs`) with the same key,
 * so a request that committed but lost its answer is replayed, not duplicated; any other
 * non-200 answer fails the burst.
 */
export function startBurst(options: {
  urls: string[];
  apiKey: string;
  events: number;
  clients: number;
  retryMs?: number;
  /** Characters added to each event's data, to make events this much larger. */
  padding?: number;
}): Burst {
  const { urls, events } = options;
  const retryMs = options.retryMs ?? 100;
  const pad = "x".repeat(options.padding ?? 0);
  let failure: unknown;
  const burst: Burst = {
    accepted: new Map(),
    refusals: [],
    dropped: 0,
    done: Promise.resolve(),
    check() {
      if (failure !== undefined) throw failure;
      return burst;
    },
  };
  let next = 0;

  async function post(n: number, attempt: number): Promise<string | undefined> {
    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(`${urls[(n + attempt) % urls.length]}/v1/events`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          "content-type": "application/json",
          "idempotency-key": `burst-${n}`,
        },
        body: JSON.stringify({ type: "charge.succeeded", data: { object: { n, pad } } }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      burst.dropped++;
      return undefined;
    }
    const body = (await response.json()) as {
      id?: string;
      error?: { code?: string; type?: string };
    };
    if (response.status === 200) return body.id;
    if (response.status !== 503)
      throw new Error(`POST /v1/events answered ${response.status}: ${JSON.stringify(body)}`);
    burst.refusals.push({
      status: response.status,
      code: body.error?.code,
      type: body.error?.type,
      retryAfter: response.headers.get("retry-after"),
      ms: Date.now() - started,
      at: Date.now(),
    });
    return undefined;
  }

  async function client(): Promise<void> {
    for (let n = next++; n < events; n = next++) {
      for (let attempt = 0; ; attempt++) {
        const id = await post(n, attempt);
        if (id !== undefined) {
          burst.accepted.set(n, id);
          break;
        }
        // A producer's pause before it tries again (shorter than Retry-After, to keep the test short).
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  burst.done = Promise.all(Array.from({ length: options.clients }, client)).then(() => {});
  burst.done.catch((error: unknown) => {
    failure = error;
  });
  return burst;
}

/** Collects the event ids a receiver got, reading only what is new at each call. */
export function receiptsOf(received: { headers: Record<string, unknown> }[]) {
  const ids = new Set<string>();
  let read = 0;
  return () => {
    for (; read < received.length; read++) ids.add(received[read]!.headers["webhook-id"] as string);
    return ids;
  };
}

/** Every refusal was a 503 in the API's error shape with this code, answered within 10 s. */
export function expectRefusals(burst: Burst, code: string, retryAfter: string): void {
  expect(burst.refusals.length).toBeGreaterThan(0);
  for (const refusal of burst.refusals) {
    expect(refusal).toMatchObject({ status: 503, type: "api_error", code, retryAfter });
    expect(refusal.ms).toBeLessThan(10_000);
  }
}

/** Waits until the receiver got every event the burst had acknowledged, each under one id. */
export async function expectAllDelivered(
  burst: Burst,
  received: { headers: Record<string, unknown> }[],
  events: number,
): Promise<void> {
  const ids = [...burst.accepted.values()];
  expect(new Set(ids).size).toBe(events);
  const receipts = receiptsOf(received);
  await waitFor(() => ids.every((id) => receipts().has(id)), 60_000, "every event delivered");
}
