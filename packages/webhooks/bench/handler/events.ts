import { sign } from "../../src/index.ts";
import { paymentIntentSucceeded } from "../payment-event.ts";

/**
 * A distinct `payment_intent.succeeded` of about 0.9 KB (compact JSON, as Hookline sends it):
 * the full Stripe-like event with `data.object` cut to its first fields.
 */
export function smallEvent(): string {
  const event = paymentIntentSucceeded(0) as { data: { object: Record<string, unknown> } };
  const object: Record<string, unknown> = {};
  event.data.object = object;
  const full = paymentIntentSucceeded(0) as { data: { object: Record<string, unknown> } };
  for (const [key, value] of Object.entries(full.data.object)) {
    object[key] = value;
    if (JSON.stringify(event).length >= 880) break;
  }
  return JSON.stringify(event);
}

/**
 * Complete HTTP/1.1 requests, each a new event signed now with both header sets (as Hookline
 * sends them), so every request is a first delivery that passes the timestamp tolerance.
 */
export function signedRequests(count: number, secret: string): Buffer[] {
  return Array.from({ length: count }, () => {
    const body = smallEvent();
    const id = (JSON.parse(body) as { id: string }).id;
    const headers = sign(body, secret, { id });
    const head =
      "POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n" +
      "user-agent: Hookline/bench\r\n" +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("") +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return Buffer.from(head + body);
  });
}
