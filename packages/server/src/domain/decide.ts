import type { SendOutcome } from "../dispatch/outcome.ts";
import { DeliveryStatus } from "./delivery-status.ts";
import { nextAttemptAt } from "./retry-schedule.ts";

/** What the dispatcher records after an attempt. Pure: clock and randomness are inputs. */
export interface Decision {
  status:
    | typeof DeliveryStatus.pending
    | typeof DeliveryStatus.succeeded
    | typeof DeliveryStatus.failed;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: number | null;
  /** The endpoint answered 410 Gone: it asked to receive nothing more. */
  disableEndpoint: boolean;
}

export function decide(input: {
  outcome: SendOutcome;
  /** Attempts made, this one included. */
  attempts: number;
  schedule: readonly number[];
  now: number;
  random: () => number;
}): Decision {
  const { outcome } = input;
  if (outcome.kind === "delivered") {
    return { status: DeliveryStatus.succeeded, nextAttemptAt: null, disableEndpoint: false };
  }
  const disableEndpoint = outcome.status === 410;
  if (!outcome.retryable) {
    return { status: DeliveryStatus.failed, nextAttemptAt: null, disableEndpoint };
  }
  const next = nextAttemptAt({ ...input, retryAfterMs: outcome.retryAfterMs });
  if (next === undefined) {
    return { status: DeliveryStatus.failed, nextAttemptAt: null, disableEndpoint };
  }
  return { status: DeliveryStatus.pending, nextAttemptAt: next, disableEndpoint };
}
