import { WebhookVerificationError } from "./errors.ts";
import type { HeaderInput } from "./headers.ts";
import { readHeader } from "./headers.ts";
import { resolveVerifyOptions, type VerifyOptions } from "./options.ts";
import { parseStandardHeaders, standardHeaderPrefix } from "./schemes/standard-header.ts";
import { parseStripeSignature } from "./schemes/stripe-header.ts";
import { assertWithinTolerance } from "./schemes/timestamp.ts";

/**
 * What a request claims, read from its headers alone: which scheme signed it, the text that
 * precedes the body in the signed content, and the signatures to check. Both crypto paths (node
 * and WebCrypto) verify from this, so the schemes are parsed in exactly one place.
 */
export interface SignedRequest {
  scheme: "stripe" | "standard";
  /** `"<t>."` for Stripe, `"<id>.<t>."` for Standard Webhooks. */
  signedPrefix: string;
  /** HMAC-SHA256 signatures: lowercase hex (Stripe) or base64 (Standard Webhooks). */
  hmac: string[];
  /** ed25519 signatures in base64 (Standard Webhooks `v1a`). */
  ed25519: string[];
}

/** Reads and checks the signature headers, including the timestamp tolerance. Pure. */
export function readSignedRequest(
  headers: HeaderInput,
  options: VerifyOptions | undefined,
): SignedRequest {
  const { scheme, toleranceSeconds, now } = resolveVerifyOptions(options);
  if (typeof headers !== "object" || headers === null) {
    throw new WebhookVerificationError(
      "missing_header",
      "no headers given: pass the request's headers (req.headers or request.headers)",
    );
  }
  const standardPrefix = scheme === "stripe" ? undefined : standardHeaderPrefix(headers);
  if (standardPrefix !== undefined) {
    const parsed = parseStandardHeaders(headers, standardPrefix);
    assertWithinTolerance(parsed.timestamp, now, toleranceSeconds);
    return {
      scheme: "standard",
      signedPrefix: `${parsed.id}.${parsed.timestampText}.`,
      hmac: parsed.v1,
      ed25519: parsed.v1a,
    };
  }
  const stripeHeader = scheme === "standard" ? undefined : readHeader(headers, "stripe-signature");
  if (stripeHeader === undefined) {
    throw new WebhookVerificationError("missing_header", missingHeaderMessage(scheme));
  }
  const parsed = parseStripeSignature(stripeHeader);
  assertWithinTolerance(parsed.timestamp, now, toleranceSeconds);
  return {
    scheme: "stripe",
    signedPrefix: `${parsed.timestampText}.`,
    hmac: parsed.v1,
    ed25519: [],
  };
}

function missingHeaderMessage(scheme: string): string {
  if (scheme === "stripe") return "the Stripe-Signature header is missing";
  if (scheme === "standard") return "the webhook-signature (or svix-signature) header is missing";
  return "no signature header: expected webhook-signature (Standard Webhooks) or Stripe-Signature";
}

/** The error for a request whose signatures all failed, with what usually causes it. */
export function noMatchingSignature(request: SignedRequest): WebhookVerificationError {
  if (request.hmac.length === 0 && request.ed25519.length === 0) {
    const expected = request.scheme === "stripe" ? "v1=" : "v1, or v1a,";
    return new WebhookVerificationError(
      "no_matching_signature",
      `the signature header has no ${expected} signature (v0 and unknown schemes are never accepted)`,
    );
  }
  return new WebhookVerificationError(
    "no_matching_signature",
    "no signature matches: check that the secret is this endpoint's signing secret, and that you " +
      "pass the raw request body; a body that was parsed and re-serialized (express.json(), " +
      "JSON.stringify(req.body)) no longer matches: pass the raw bytes",
  );
}

/** The error for a set of secrets none of which can verify this request's scheme. */
export function noUsableSecret(
  scheme: SignedRequest["scheme"],
  hasSecretKey: boolean,
): WebhookVerificationError {
  if (hasSecretKey) {
    return new WebhookVerificationError(
      "invalid_secret",
      "a whsk_ secret key signs; verify with its public key (whpk_…), which is safe to share",
    );
  }
  const why =
    scheme === "stripe"
      ? "Stripe's scheme needs an HMAC secret (whsec_…); ed25519 keys are Standard Webhooks only"
      : "Standard Webhooks needs whsec_ followed by base64, or an ed25519 public key (whpk_…)";
  return new WebhookVerificationError(
    "invalid_secret",
    `no secret can verify this request: ${why}`,
  );
}
