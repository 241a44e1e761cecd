import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { parseSecret, secretList } from "../secrets.ts";

/** A parsed secret turned into node:crypto key objects, ready for HMAC, signing or verifying. */
export type NodeKey =
  | { kind: "hmac"; stripe: KeyObject; standard: KeyObject | undefined }
  | { kind: "ed25519-public"; publicKey: KeyObject }
  | { kind: "ed25519-secret"; privateKey: KeyObject; publicKey: KeyObject };

// DER headers that turn raw ed25519 key bytes into SPKI / PKCS#8 (RFC 8410).
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

// Parsing a secret (base64, key import) costs more than the HMAC of a small event, and the same
// few secrets are used for every request, so parsed keys are kept. Bounded: an application that
// cycles through many secrets only pays the parse again.
const MAX_CACHED = 256;
const cache = new Map<string, NodeKey>();

export function nodeKey(secret: unknown): NodeKey {
  if (typeof secret === "string") {
    const hit = cache.get(secret);
    if (hit !== undefined) return hit;
  }
  const key = toNodeKey(secret);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(secret as string, key);
  return key;
}

/** One secret or several (rotation, test and live), as node keys. */
export function nodeKeys(secrets: unknown): NodeKey[] {
  return secretList(secrets).map(nodeKey);
}

function toNodeKey(secret: unknown): NodeKey {
  const parsed = parseSecret(secret);
  switch (parsed.kind) {
    case "hmac":
      return {
        kind: "hmac",
        stripe: createSecretKey(parsed.stripeKey),
        standard: parsed.standardKey && createSecretKey(parsed.standardKey),
      };
    case "ed25519-public":
      return {
        kind: "ed25519-public",
        publicKey: createPublicKey({
          key: Buffer.concat([SPKI_ED25519, parsed.publicKey]),
          format: "der",
          type: "spki",
        }),
      };
    case "ed25519-secret": {
      const privateKey = createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519, parsed.seed]),
        format: "der",
        type: "pkcs8",
      });
      return { kind: "ed25519-secret", privateKey, publicKey: createPublicKey(privateKey) };
    }
  }
}
