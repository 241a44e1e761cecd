import type { SendOutcome, SendRequest } from "../../src/dispatch/outcome.ts";
import type { Sender } from "../../src/dispatch/send.ts";

/** How a simulated endpoint answers. */
export type SimMode =
  | { kind: "ok" }
  /** A prompt 500 to this share of attempts. */
  | { kind: "flaky"; failRate: number }
  /** Connections refused at once. */
  | { kind: "refuse" }
  /** No answer until the delivery timeout. */
  | { kind: "hang" }
  /** 410 Gone: the endpoint asks to receive nothing more. */
  | { kind: "gone" };

/**
 * A sender for the simulation test: no network, answers after a latency drawn per endpoint, as
 * each endpoint's mode says, on the test's fake timers. It checks what only the sender can see:
 * each delivery has at most one attempt in flight, and the caps hold at every start.
 */
export function createSimSender(options: {
  latency: (endpointId: string) => number;
  random: () => number;
  timeoutMs: number;
  /**
   * Called at each start with the delivery's id (and its `Hookline-Sequence` header, if any);
   * throws to fail the run.
   */
  onStart: (deliveryId: string, endpointId: string, sequence: string | undefined) => void;
  /** Called as each attempt ends, with whether the endpoint took it (a 2xx). */
  onEnd?: (deliveryId: string, endpointId: string, delivered: boolean) => void;
}) {
  const modes = new Map<string, SimMode>();
  const inFlight = new Map<string, number>();
  const running = new Set<string>();
  let total = 0;
  let attempts = 0;

  const outcome = (mode: SimMode, durationMs: number): SendOutcome => {
    const base = { requestHeaders: {}, durationMs };
    switch (mode.kind) {
      case "ok":
        return { kind: "delivered", status: 200, ...base };
      case "flaky":
        return options.random() < mode.failRate
          ? fail("http_status", 500, base)
          : { kind: "delivered", status: 200, ...base };
      case "refuse":
        return fail("connection_failed", undefined, base);
      case "hang":
        return fail("timeout", undefined, base);
      case "gone":
        return fail("http_status", 410, base, false);
    }
  };

  const sender: Sender = {
    send(request: SendRequest) {
      const endpointId = request.url.slice(request.url.lastIndexOf("/") + 1);
      const deliveryId = `dlv_${request.eventId}_${endpointId}`;
      if (running.has(deliveryId)) throw new Error(`two attempts of ${deliveryId} at once`);
      running.add(deliveryId);
      inFlight.set(endpointId, (inFlight.get(endpointId) ?? 0) + 1);
      total++;
      attempts++;
      options.onStart(deliveryId, endpointId, request.headers?.["hookline-sequence"]);
      const mode = modes.get(endpointId) ?? { kind: "ok" };
      const delay = mode.kind === "hang" ? options.timeoutMs : options.latency(endpointId);
      return new Promise((resolve) => {
        setTimeout(() => {
          running.delete(deliveryId);
          inFlight.set(endpointId, inFlight.get(endpointId)! - 1);
          total--;
          // The mode when the answer comes: an endpoint healed meanwhile answers.
          const result = outcome(modes.get(endpointId) ?? mode, delay);
          options.onEnd?.(deliveryId, endpointId, result.kind === "delivered");
          resolve(result);
        }, delay);
      });
    },
    close: async () => undefined,
  };

  return {
    sender,
    modes,
    inFlightOf: (endpointId: string) => inFlight.get(endpointId) ?? 0,
    total: () => total,
    attempts: () => attempts,
  };
}

function fail(
  error: "http_status" | "connection_failed" | "timeout",
  status: number | undefined,
  base: { requestHeaders: Record<string, string>; durationMs: number },
  retryable = true,
): SendOutcome {
  return {
    kind: "failed",
    retryable,
    error,
    message: error,
    ...(status === undefined ? {} : { status }),
    ...base,
  };
}
