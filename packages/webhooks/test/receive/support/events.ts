import { sign } from "../../../src/index.ts";

export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

let counter = 0;

/** A Stripe-shaped event; `created` defaults to now so it passes the tolerance check. */
export function makeEvent(
  type: string,
  object: Record<string, unknown> = { id: "pi_1", object: "payment_intent", amount: 2000 },
  extra: Record<string, unknown> = {},
) {
  counter += 1;
  return {
    id: `evt_test_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`,
    object: "event",
    type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object },
    ...extra,
  };
}

/** The body and the headers a sender puts on the wire for `event`. */
export function signed(event: { id: string }, secret: string | string[] = SECRET) {
  const body = JSON.stringify(event);
  const headers = { ...sign(body, secret, { id: event.id }), "content-type": "application/json" };
  return { body, headers };
}

/** A signed POST as a web Request, for calling a handler without a port. */
export function signedRequest(event: { id: string }, secret: string | string[] = SECRET): Request {
  const { body, headers } = signed(event, secret);
  return new Request("http://localhost/webhooks", { method: "POST", body, headers });
}

/** POSTs a signed event over HTTP. */
export async function deliver(
  url: string,
  event: { id: string },
  secret: string | string[] = SECRET,
) {
  const { body, headers } = signed(event, secret);
  const response = await fetch(url, { method: "POST", body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A promise and its resolver, to hold a handler until the test lets it go. */
export function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Polls `check` until it holds, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
