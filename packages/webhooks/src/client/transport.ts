import { HooklineApiError, HooklineConnectionError } from "./errors.ts";
import { isRetryableStatus, retryDelayMs } from "./retry.ts";

export interface TransportOptions {
  url: string;
  apiKey: string;
  fetch: typeof fetch;
  maxRetries: number;
  timeoutMs: number;
  /** With the root key: the tenant to act on (the `Hookline-Tenant` header). */
  tenant?: string | undefined;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface Call {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Query | undefined;
  body?: unknown;
  /**
   * `always`: safe to send twice (reads, updates, creates with an Idempotency-Key).
   * `unprocessed`: only when the server surely did nothing (429): rotating a secret twice
   * would throw away the first new secret.
   */
  retry: "always" | "unprocessed";
  /** A create: it gets an Idempotency-Key (the caller's, or a generated one) so retries are safe. */
  create?: { idempotencyKey?: string | undefined };
}

/** One API call: JSON in and out, the key, retries with backoff, errors as typed errors. */
export async function send<T>(options: TransportOptions, call: Call): Promise<T> {
  const url = new URL(call.path, options.url.endsWith("/") ? options.url : `${options.url}/`);
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    accept: "application/json",
  };
  if (call.body !== undefined) headers["content-type"] = "application/json";
  if (options.tenant !== undefined) headers["hookline-tenant"] = options.tenant;
  if (call.create !== undefined) {
    headers["idempotency-key"] = call.create.idempotencyKey ?? globalThis.crypto.randomUUID();
  }
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);

  for (let retry = 1; ; retry++) {
    const canRetry = retry <= options.maxRetries;
    let response: Response;
    try {
      response = await options.fetch(url, {
        method: call.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      // No answer: the request may or may not have been processed.
      if (canRetry && call.retry === "always") {
        await sleep(retryDelayMs(retry, null) ?? 0);
        continue;
      }
      throw new HooklineConnectionError(
        `${call.method} ${url.pathname} got no answer: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (response.ok) return (await response.json()) as T;
    const worthRetrying =
      canRetry &&
      isRetryableStatus(response.status) &&
      (call.retry === "always" || response.status === 429);
    const delay = worthRetrying
      ? retryDelayMs(retry, response.headers.get("retry-after"))
      : undefined;
    if (delay === undefined) throw await toError(response);
    await response.body?.cancel();
    await sleep(delay);
  }
}

async function toError(response: Response): Promise<HooklineApiError> {
  const requestId = response.headers.get("request-id") ?? undefined;
  const text = await response.text();
  let error: { type?: string; code?: string; message?: string; param?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // Not our JSON (a proxy's error page): described below.
  }
  return new HooklineApiError({
    type: error?.type ?? "api_error",
    code: error?.code ?? `http_${response.status}`,
    message: error?.message ?? `HTTP ${response.status}: ${text.slice(0, 200)}`,
    param: error?.param,
    status: response.status,
    requestId,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
