import { decodeBase64, utf8 } from "./encoding.ts";
import { WebhookVerificationError } from "./errors.ts";

/**
 * The secret formats. `whsec_` is an HMAC secret both schemes share (Stripe keys HMAC with the
 * whole string; Standard Webhooks with the base64-decoded part after the prefix). `whpk_` and
 * `whsk_` are the Standard Webhooks ed25519 public and secret keys (signature version `v1a`).
 */
export const SecretPrefix = { hmac: "whsec_", publicKey: "whpk_", secretKey: "whsk_" } as const;

export type ParsedSecret =
  | {
      kind: "hmac";
      /** Stripe's key: the whole secret string as UTF-8. */
      stripeKey: Uint8Array;
      /** Standard Webhooks' key; `undefined` when the part after `whsec_` is not base64. */
      standardKey: Uint8Array | undefined;
    }
  | { kind: "ed25519-public"; publicKey: Uint8Array }
  | { kind: "ed25519-secret"; seed: Uint8Array };

/**
 * Reads one secret string. Pure; throws `invalid_secret` with a message naming the problem.
 * A secret without a prefix is an HMAC secret, as in the reference libraries.
 */
export function parseSecret(secret: unknown): ParsedSecret {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new WebhookVerificationError(
      "invalid_secret",
      `a secret must be a non-empty string such as "whsec_…", got ${describe(secret)}`,
    );
  }
  if (secret.startsWith(SecretPrefix.publicKey)) {
    const key = decodeBase64(secret.slice(SecretPrefix.publicKey.length));
    if (key?.length !== 32) throw badKey("whpk_", "a base64 ed25519 public key of 32 bytes");
    return { kind: "ed25519-public", publicKey: key };
  }
  if (secret.startsWith(SecretPrefix.secretKey)) {
    const key = decodeBase64(secret.slice(SecretPrefix.secretKey.length));
    // 32 bytes is the seed alone; 64 bytes is seed + public key (libsodium's and Go's layout).
    if (key?.length !== 32 && key?.length !== 64) {
      throw badKey("whsk_", "a base64 ed25519 secret key of 32 or 64 bytes");
    }
    return { kind: "ed25519-secret", seed: key.subarray(0, 32) };
  }
  const body = secret.startsWith(SecretPrefix.hmac)
    ? secret.slice(SecretPrefix.hmac.length)
    : secret;
  if (body.length === 0) throw badKey("whsec_", "random bytes in base64 after the prefix");
  const standardKey = decodeBase64(body);
  return {
    kind: "hmac",
    stripeKey: utf8.encode(secret),
    standardKey: standardKey && standardKey.length > 0 ? standardKey : undefined,
  };
}

/** One secret or several (rotation, test and live) as a non-empty list. */
export function secretList(secrets: unknown): unknown[] {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  if (list.length === 0) {
    throw new WebhookVerificationError("invalid_secret", "no secret given: pass at least one");
  }
  return list;
}

/** Accepts one secret or several and parses each. */
export function parseSecrets(secrets: unknown): ParsedSecret[] {
  return secretList(secrets).map(parseSecret);
}

function badKey(prefix: string, expected: string): WebhookVerificationError {
  return new WebhookVerificationError(
    "invalid_secret",
    `a "${prefix}" secret must be followed by ${expected}`,
  );
}

function describe(value: unknown): string {
  if (value === "") return "an empty string";
  if (value === null) return "null";
  return typeof value;
}
