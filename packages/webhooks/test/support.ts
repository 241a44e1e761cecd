import type { HeaderInput, RawPayload, VerifyOptions } from "../src/index.ts";
import { verify, verifyAsync, WebhookVerificationError } from "../src/index.ts";

/** Both verifiers behind one async signature, so each behaviour is tested on both paths. */
export type Verifier = (
  payload: RawPayload,
  headers: HeaderInput,
  secrets: string | readonly string[],
  options?: VerifyOptions,
) => Promise<unknown>;

export const verifiers: [name: string, verifier: Verifier][] = [
  ["verify (node:crypto)", async (...args) => verify(...args)],
  ["verifyAsync (WebCrypto)", (...args) => verifyAsync(...args)],
];

/** The error code a verification fails with, or "ok". Anything else thrown fails the test. */
export async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "ok";
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

export const NOW = 1_700_000_000;

export function event(type = "payment_intent.succeeded", extra: Record<string, unknown> = {}) {
  return JSON.stringify(
    {
      id: "evt_1NG8Du2eZvKYlo2CUI79vXWy",
      object: "event",
      type,
      created: NOW,
      livemode: false,
      data: {
        object: { id: "pi_3MtwBwLkdIwHu7ix28a3tqPa", object: "payment_intent", amount: 2000 },
      },
      ...extra,
    },
    null,
    2,
  );
}
