import { WebhookVerificationError } from "../errors.ts";

// Plain decimal digits only: no sign, no spaces, no exponent, no "abc". stripe-node accepts
// `t=abc` (it becomes NaN and slips past its age check); we refuse it. Twelve digits reach past
// the year 33,000, so longer values are garbage, not dates.
const DIGITS = /^[0-9]{1,12}$/;

/** Reads a signed unix timestamp in seconds, or throws `malformed_header` naming the header. */
export function parseTimestamp(text: string, header: string): number {
  if (!DIGITS.test(text)) {
    throw new WebhookVerificationError(
      "malformed_header",
      `${header} has timestamp ${JSON.stringify(text.slice(0, 32))}: expected unix seconds in plain decimal digits`,
    );
  }
  return Number(text);
}

/**
 * Refuses timestamps more than `toleranceSeconds` away from `now`, in the past (a replay) and in
 * the future (a forged or clock-skewed sender); stripe-node checks only the past.
 */
export function assertWithinTolerance(
  timestamp: number,
  now: number,
  toleranceSeconds: number,
): void {
  const skew = now - timestamp;
  if (Math.abs(skew) <= toleranceSeconds) return;
  const where = skew > 0 ? `${skew} s in the past` : `${-skew} s in the future`;
  throw new WebhookVerificationError(
    "timestamp_out_of_tolerance",
    `the signed timestamp is ${where} (tolerance ${toleranceSeconds} s): a replayed request, or a clock that is wrong here or at the sender`,
  );
}
