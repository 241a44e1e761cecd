// What the handler answers, as plain data: the web handler turns it into a `Response`, the Node
// adapters write it straight to the socket without building one. Bodies follow Stripe's error
// shape, so whatever shows the sender's attempt log (Hookline's dashboard, Stripe's) shows the
// receiver's reason verbatim.

export type ErrorType = "invalid_request_error" | "api_error";

/** A status, headers (lowercase names) and a JSON body. */
export interface Answer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Answer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

// The answers to almost every request, built once: they are the same bytes every time.
const RECEIVED = {
  200: Object.freeze({ status: 200, headers: JSON_HEADERS, body: '{"received":true}' }),
  202: Object.freeze({ status: 202, headers: JSON_HEADERS, body: '{"received":true}' }),
};

export function received(status: 200 | 202, extra?: Record<string, unknown>): Answer {
  if (extra === undefined) return RECEIVED[status];
  return jsonAnswer(status, { received: true, ...extra });
}

export function errorAnswer(
  status: number,
  type: ErrorType,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Answer {
  return jsonAnswer(status, { error: { type, code, message } }, headers);
}
