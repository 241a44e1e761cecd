/**
 * Why a webhook request was refused. The codes are stable: match on `code`, never on `message`.
 *
 * - `missing_header`: a signature header the scheme needs is absent.
 * - `malformed_header`: a header is present but cannot be read (bad timestamp, bad id, garbage).
 * - `timestamp_out_of_tolerance`: the signed timestamp is too far in the past or the future.
 * - `no_matching_signature`: no signature in the request matches any of the given secrets.
 * - `invalid_secret`: a secret is empty, mistyped, or of the wrong kind for the scheme.
 * - `invalid_payload`: the body is not raw bytes/text, or is correctly signed but not a JSON event.
 */
export const VerificationErrorCode = {
  missingHeader: "missing_header",
  malformedHeader: "malformed_header",
  timestampOutOfTolerance: "timestamp_out_of_tolerance",
  noMatchingSignature: "no_matching_signature",
  invalidSecret: "invalid_secret",
  invalidPayload: "invalid_payload",
} as const;

export type VerificationErrorCode =
  (typeof VerificationErrorCode)[keyof typeof VerificationErrorCode];

/**
 * Thrown by `verify` and `verifyAsync` when a request must not be trusted. Answer such a request
 * with a 400: the sender will retry, and a retry with a valid signature then succeeds.
 *
 * @example
 * ```ts
 * try {
 *   const event = verify(rawBody, req.headers, process.env.WEBHOOK_SECRET!);
 * } catch (err) {
 *   if (err instanceof WebhookVerificationError) return res.status(400).send(err.code);
 *   throw err;
 * }
 * ```
 */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  readonly code: VerificationErrorCode;

  constructor(code: VerificationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
