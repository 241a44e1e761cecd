import type { Event } from "../event.ts";
import type { ResolvedOptions } from "./resolve-options.ts";
import type { DeliverySequence } from "./sequence.ts";

export interface HeldEvent {
  event: Event;
  token: string;
  attempt: number;
  /** From the request that brought the event, when it carried `Hookline-Sequence`. */
  sequence?: DeliverySequence | undefined;
}

/** Errors are already reported to `onError` when this resolves. */
export type RunOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * Runs the handler for an event this process holds, then records the result. The invariant:
 * an event is only completed after its handler returned, and always released (failed) when the
 * handler threw, so it never stays held beyond its lease.
 */
export async function runEvent(
  held: HeldEvent,
  options: ResolvedOptions,
  after: { retryAfterMs: number; final: boolean },
): Promise<RunOutcome> {
  const { event, token, attempt, sequence } = held;
  const handler = options.handlerFor(event.type);
  try {
    await handler?.(event, sequence === undefined ? { attempt } : { attempt, sequence });
  } catch (error) {
    options.onError(error, { stage: "handler", event, attempt, final: after.final });
    const now = options.now();
    try {
      const retryAt = now + after.retryAfterMs;
      await options.inbox.fail(event.id, token, { now, retryAt, error: describe(error) });
    } catch (inboxError) {
      // The lease still expires, so the event is retried anyway, only later.
      options.onError(inboxError, { stage: "inbox", event, attempt });
    }
    return { ok: false, error };
  }
  try {
    await options.inbox.complete(event.id, token, { now: options.now() });
  } catch (error) {
    // The handler ran but the inbox did not record it: the event will run again (at least once).
    options.onError(error, { stage: "inbox", event, attempt });
    return { ok: false, error };
  }
  return { ok: true };
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}
