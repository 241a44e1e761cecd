import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseEncryptionKey } from "./secret-box.ts";

/**
 * The key that seals endpoint secrets. `HOOKLINE_ENCRYPTION_KEY` wins; otherwise, for a SQLite
 * file, a key is generated on the first start into `<database>.key` beside it (mode 0600), so a
 * single machine works out of the box while a copy of the database alone reveals nothing.
 * PostgreSQL has no "beside": there the key must be given.
 */
export function loadEncryptionKey(input: {
  configured: string | undefined;
  old: readonly string[];
  database: string;
  warn: (message: string) => void;
}): { current: Buffer; old: Buffer[]; generatedFile?: string } {
  const old = input.old.map((k) => parseEncryptionKey(k, "HOOKLINE_ENCRYPTION_OLD_KEYS"));
  if (input.configured !== undefined) {
    return { current: parseEncryptionKey(input.configured, "HOOKLINE_ENCRYPTION_KEY"), old };
  }
  if (/^postgres(ql)?:\/\//.test(input.database)) {
    throw new Error(
      "HOOKLINE_ENCRYPTION_KEY: required with PostgreSQL (every node needs the same key); make one with: openssl rand -base64 32",
    );
  }
  const file = `${input.database}.key`;
  if (existsSync(file)) {
    return { current: parseEncryptionKey(readFileSync(file, "utf8"), file), old };
  }
  writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  input.warn(
    `generated an encryption key for endpoint secrets in ${file}; in production set HOOKLINE_ENCRYPTION_KEY instead and keep it apart from the database`,
  );
  return {
    current: parseEncryptionKey(readFileSync(file, "utf8"), file),
    old,
    generatedFile: file,
  };
}
