import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Endpoint secrets at rest: AES-256-GCM under the operator's key, so a copy of the database
 * without its key reveals no secret. A sealed value reads `enc:v1:<key id>:<iv|ciphertext|tag>`
 * (base64url); the key id (the first bytes of the key's SHA-256) says which key opens it, so
 * ciphertexts sealed under a previous key still open while that key is listed as old.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Opens a sealed value; a value that was never sealed (an older database) passes through. */
  open(stored: string): string;
  /** True when `stored` is sealed under the current key (nothing to rewrite). */
  isCurrent(stored: string): boolean;
}

const PREFIX = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

/** A key from its text form: 32 bytes as base64 or base64url (`openssl rand -base64 32`). */
export function parseEncryptionKey(text: string, setting: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new SecretBoxError(
      `${setting}: expected 32 bytes in base64 (make one with: openssl rand -base64 32), got ${key.length} bytes`,
    );
  }
  return key;
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 8);
}

export function createSecretBox(current: Buffer, old: readonly Buffer[] = []): SecretBox {
  const currentId = keyId(current);
  const keys = new Map<string, Buffer>([[currentId, current]]);
  for (const key of old) keys.set(keyId(key), key);
  // Claims open the same few secrets over and over: remember what was opened.
  const opened = new Map<string, string>();

  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
      return `${PREFIX}${currentId}:${sealed}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const hit = opened.get(stored);
      if (hit !== undefined) return hit;
      const [id, sealed] = stored.slice(PREFIX.length).split(":", 2) as [string, string];
      const key = keys.get(id);
      if (key === undefined) {
        throw new SecretBoxError(
          `an endpoint secret is sealed under key ${id}, which is neither HOOKLINE_ENCRYPTION_KEY nor in HOOKLINE_ENCRYPTION_OLD_KEYS`,
        );
      }
      const bytes = Buffer.from(sealed ?? "", "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
      if (opened.size >= 10_000) opened.clear();
      opened.set(stored, plaintext);
      return plaintext;
    },
    isCurrent: (stored) => stored.startsWith(`${PREFIX}${currentId}:`),
  };
}
