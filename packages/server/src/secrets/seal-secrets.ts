import type { Config } from "../config/config.ts";
import type { Store } from "../store/types.ts";
import { loadEncryptionKey } from "./encryption-key.ts";
import { sealedStore } from "./sealed-store.ts";
import { createSecretBox } from "./secret-box.ts";

/**
 * Puts the store behind sealing: loads (or, for a SQLite file, generates) the key, re-seals
 * what is stored in plaintext or under a rotated-out key, and returns the store that seals and
 * opens endpoint secrets on the way in and out.
 */
export async function sealSecrets(
  store: Store,
  config: Pick<Config, "database" | "encryptionKey" | "encryptionOldKeys">,
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
): Promise<Store> {
  const keys = loadEncryptionKey({
    configured: config.encryptionKey,
    old: config.encryptionOldKeys,
    database: config.database,
    warn: (message) => log.warn({}, message),
  });
  const box = createSecretBox(keys.current, keys.old);
  const resealed = await store.resealSecrets?.((stored) =>
    box.isCurrent(stored) ? undefined : box.seal(box.open(stored)),
  );
  if (resealed) log.info({ count: resealed }, "sealed endpoint secrets under the current key");
  return sealedStore(store, box);
}
