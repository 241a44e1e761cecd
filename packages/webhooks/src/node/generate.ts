import { generateKeyPairSync, randomBytes } from "node:crypto";
import { SecretPrefix } from "../secrets.ts";

/**
 * A new HMAC signing secret, `whsec_` + 24 random bytes in base64 (the Standard Webhooks minimum,
 * 192 bits). It works with both schemes.
 *
 * @example
 * ```ts
 * const secret = generateSecret(); // "whsec_…"
 * ```
 */
export function generateSecret(): string {
  return `${SecretPrefix.hmac}${randomBytes(24).toString("base64")}`;
}

/**
 * A new ed25519 key pair for Standard Webhooks `v1a` signatures: the sender keeps `secretKey`
 * (`whsk_`, seed and public key, 64 bytes) and gives receivers `publicKey` (`whpk_`, 32 bytes).
 *
 * @example
 * ```ts
 * const { publicKey, secretKey } = generateKeyPair();
 * const headers = sign(body, secretKey, { scheme: "standard", id: event.id });
 * verify(body, headers, publicKey);
 * ```
 */
export function generateKeyPair(): { publicKey: string; secretKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d!, "base64url");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  return {
    publicKey: `${SecretPrefix.publicKey}${pub.toString("base64")}`,
    secretKey: `${SecretPrefix.secretKey}${Buffer.concat([seed, pub]).toString("base64")}`,
  };
}
