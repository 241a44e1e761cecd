// Bodies follow Stripe's error shape, so whatever shows the sender's attempt log (Hookline's
// dashboard, Stripe's) shows the receiver's reason verbatim.

export type ErrorType = "invalid_request_error" | "api_error";

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function received(status: 200 | 202, extra: Record<string, unknown> = {}): Response {
  return json(status, { received: true, ...extra });
}

export function errorResponse(
  status: number,
  type: ErrorType,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: { type, code, message } }, headers);
}
