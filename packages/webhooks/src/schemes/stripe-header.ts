import { WebhookVerificationError } from "../errors.ts";
import { parseTimestamp } from "./timestamp.ts";

/** The parts of a `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` header. */
export interface StripeSignatureHeader {
  timestamp: number;
  timestampText: string;
  /** `v1` signatures, each 64 lowercase hex digits (HMAC-SHA256). */
  v1: string[];
}

const V1_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses the header strictly: exactly one `t`, digits only. `v1` entries that cannot be an
 * HMAC-SHA256 in hex are dropped, and `v0` or unknown schemes are ignored, never accepted.
 */
export function parseStripeSignature(value: string): StripeSignatureHeader {
  let timestampText: string | undefined;
  const v1: string[] = [];
  for (const item of value.split(",")) {
    const entry = item.trim();
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      throw new WebhookVerificationError(
        "malformed_header",
        `Stripe-Signature has an entry without "key=value": ${JSON.stringify(entry.slice(0, 32))}`,
      );
    }
    const key = entry.slice(0, eq);
    const text = entry.slice(eq + 1);
    if (key === "t") {
      if (timestampText !== undefined && timestampText !== text) {
        throw new WebhookVerificationError(
          "malformed_header",
          "Stripe-Signature has two different t= timestamps",
        );
      }
      timestampText = text;
    } else if (key === "v1" && V1_HEX.test(text)) {
      v1.push(text);
    }
  }
  if (timestampText === undefined) {
    throw new WebhookVerificationError(
      "malformed_header",
      'Stripe-Signature has no "t=<unix seconds>" entry',
    );
  }
  const timestamp = parseTimestamp(timestampText, "Stripe-Signature");
  return { timestamp, timestampText, v1 };
}
