import { StoreFailure, type StoreUnavailableError } from "../store/errors.ts";

/**
 * API errors in Stripe's shape: `{error: {type, code, message, param?}}`. Each has a stable
 * `code`; `toErrorBody` is the one place that maps an error to a status and a body.
 */
export const ErrorType = {
  invalidRequest: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  rateLimit: "rate_limit_error",
  idempotency: "idempotency_error",
  api: "api_error",
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | undefined;
  /** For 429 and 503: sent as the Retry-After header. */
  retryAfterSeconds: number | undefined;

  constructor(status: number, type: ErrorType, code: string, message: string, param?: string) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }
}

export const invalidParam = (param: string, message: string) =>
  new ApiError(400, ErrorType.invalidRequest, "parameter_invalid", message, param);

export const missingParam = (param: string) =>
  new ApiError(
    400,
    ErrorType.invalidRequest,
    "parameter_missing",
    `Missing required param: ${param}.`,
    param,
  );

export const unknownParam = (param: string) =>
  new ApiError(
    400,
    ErrorType.invalidRequest,
    "parameter_unknown",
    `Received unknown parameter: ${param}.`,
    param,
  );

export const notFound = (what: string, id: string, param = "id") =>
  new ApiError(
    404,
    ErrorType.invalidRequest,
    "resource_missing",
    `No such ${what}: '${id}'`,
    param,
  );

export const unauthorized = (message: string) =>
  new ApiError(401, ErrorType.authentication, "api_key_invalid", message);

export const idempotencyConflict = (key: string) =>
  new ApiError(
    409,
    ErrorType.idempotency,
    "idempotency_key_in_use",
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Key '${key}' was used with other parameters.`,
  );

/**
 * The store refused for a passing cause: 503, and Retry-After so that clients (and Stripe-style
 * SDKs that honour it) come back instead of giving up. The request's transaction was rolled
 * back, so its Idempotency-Key is still free for the retry (or, if a COMMIT landed as the
 * connection died, the retry finds what it created). A full disk waits for a person, a restarting
 * database for seconds: the two waits differ.
 */
export function storeUnavailable(error: StoreUnavailableError): ApiError {
  const diskFull = error.code === StoreFailure.diskFull;
  const refused = new ApiError(
    503,
    ErrorType.api,
    error.code,
    diskFull
      ? "The database's disk is full, so nothing can be stored right now. Retry later with the same Idempotency-Key."
      : "The database cannot be reached right now. Retry in a few seconds with the same Idempotency-Key.",
  );
  refused.retryAfterSeconds = diskFull ? DISK_FULL_RETRY_AFTER_S : UNAVAILABLE_RETRY_AFTER_S;
  return refused;
}

// A PostgreSQL restart or failover takes seconds; freeing disk space takes a person.
const UNAVAILABLE_RETRY_AFTER_S = 2;
const DISK_FULL_RETRY_AFTER_S = 30;

export interface ErrorBody {
  error: { type: ErrorType; code: string; message: string; param?: string };
}

export function toErrorBody(error: ApiError): ErrorBody {
  return {
    error: {
      type: error.type,
      code: error.code,
      message: error.message,
      ...(error.param === undefined ? {} : { param: error.param }),
    },
  };
}
