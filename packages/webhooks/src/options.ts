/** Which signature scheme to verify. `auto` picks by the headers present. */
export type VerifyScheme = "auto" | "stripe" | "standard";

export interface VerifyOptions {
  /**
   * `auto` (default) verifies Standard Webhooks headers when present, else `Stripe-Signature`.
   * Hookline sends both; pin one to refuse the other.
   */
  scheme?: VerifyScheme;
  /** How far the signed timestamp may be from now, past or future. Default 300. */
  toleranceSeconds?: number;
  /** The current time in unix seconds; defaults to the clock. For tests. */
  now?: number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

export function resolveVerifyOptions(options: VerifyOptions | undefined): {
  scheme: VerifyScheme;
  toleranceSeconds: number;
  now: number;
} {
  const scheme = options?.scheme ?? "auto";
  if (scheme !== "auto" && scheme !== "stripe" && scheme !== "standard") {
    throw new TypeError(
      `options.scheme must be "auto", "stripe" or "standard", got ${String(scheme)}`,
    );
  }
  const toleranceSeconds = options?.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof toleranceSeconds !== "number" || !(toleranceSeconds >= 0)) {
    throw new TypeError(
      "options.toleranceSeconds must be a number ≥ 0 (Infinity disables the check)",
    );
  }
  const now = options?.now ?? Math.floor(Date.now() / 1000);
  if (typeof now !== "number" || !Number.isFinite(now)) {
    throw new TypeError("options.now must be unix seconds");
  }
  return { scheme, toleranceSeconds, now };
}
