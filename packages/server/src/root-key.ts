import { randomBytes } from "node:crypto";
import { hashKey } from "./api/auth.ts";
import type { Store } from "./store/types.ts";

const SETTING = "root_api_key_sha256";

/**
 * The root API key's hash. `HOOKLINE_API_KEY` wins; otherwise a key is generated on the first
 * start, only its hash is stored, and the key itself is returned once for the start banner.
 */
export async function rootKey(
  store: Store,
  configured: string | undefined,
): Promise<{ hash: Buffer; generated?: string }> {
  if (configured !== undefined) return { hash: hashKey(configured) };
  const stored = await store.getSetting(SETTING);
  if (stored !== undefined) return { hash: Buffer.from(stored, "base64") };
  const key = `hk_${randomBytes(24).toString("base64url")}`;
  await store.setSetting(SETTING, hashKey(key).toString("base64"));
  return { hash: hashKey(key), generated: key };
}
