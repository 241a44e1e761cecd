/**
 * An error answer of the Hookline API: Stripe's `{error: {type, code, message, param?}}`, with
 * the HTTP status and the request id to quote when asking for help.
 *
 * @example
 * ```ts
 * try {
 *   await hookline.endpoints.create({ url: "ftp://x", enabled_events: ["*"] });
 * } catch (error) {
 *   if (error instanceof HooklineApiError && error.code === "parameter_invalid") {
 *     console.log(error.param, error.message); // "url", "Invalid URL: …"
 *   } else throw error;
 * }
 * ```
 */
export class HooklineApiError extends Error {
  override readonly name = "HooklineApiError";
  /** `invalid_request_error`, `authentication_error`, `idempotency_error`, `api_error`. */
  readonly type: string;
  /** Stable: `parameter_invalid`, `resource_missing`, `api_key_invalid`, … */
  readonly code: string;
  /** The parameter at fault, when one is. */
  readonly param: string | undefined;
  readonly status: number;
  /** The `request-id` header of the answer. */
  readonly requestId: string | undefined;

  constructor(fields: {
    type: string;
    code: string;
    message: string;
    param?: string | undefined;
    status: number;
    requestId?: string | undefined;
  }) {
    super(fields.message);
    this.type = fields.type;
    this.code = fields.code;
    this.param = fields.param;
    this.status = fields.status;
    this.requestId = fields.requestId;
  }
}

/**
 * No answer came from the API (connection refused or reset, DNS, a timeout), after the retries.
 * `cause` is the underlying error. It has the same fields as {@link HooklineApiError}, with
 * `type: "connection_error"` and `status: 0`, so one `catch` can read both.
 *
 * @example
 * ```ts
 * try {
 *   await hookline.events.create({ type: "invoice.paid", data: { object: invoice } });
 * } catch (error) {
 *   if (error instanceof HooklineConnectionError) queueForLater(invoice); // Hookline is down
 *   else throw error;
 * }
 * ```
 */
export class HooklineConnectionError extends Error {
  override readonly name = "HooklineConnectionError";
  readonly type = "connection_error";
  readonly code = "connection_failed";
  readonly param = undefined;
  readonly status = 0;
  readonly requestId = undefined;

  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}
