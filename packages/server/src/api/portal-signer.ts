import { randomBytes } from "node:crypto";
import { SecretBoxError } from "../secrets/secret-box.ts";
import type { TenantStore } from "../store/tenant-types.ts";
import type { Store } from "../store/types.ts";
import { unauthorized } from "./errors.ts";
import { type PortalGrant, signPortalToken, verifyPortalToken } from "./portal-token.ts";

/**
 * The HMAC secret of portal links, in the settings table so that links survive restarts and
 * every node checks them alike. The name ends in `_secret`, so the sealed store keeps it
 * encrypted under HOOKLINE_ENCRYPTION_KEY: a copy of the database alone cannot mint links.
 */
export const PORTAL_SECRET_SETTING = "portal_link_secret";

export interface PortalSigner {
  sign(grant: PortalGrant): Promise<string>;
  /** The grant of a token that verifies, has not expired and names a tenant that still exists. */
  check(token: string): Promise<PortalGrant>;
}

export function createPortalSigner(
  store: Pick<Store, "getSetting" | "setSetting">,
  tenants: Pick<TenantStore, "getTenant">,
  clock: () => number,
): PortalSigner {
  let secret: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const stored = await store.getSetting(PORTAL_SECRET_SETTING).catch((error) => {
      // Sealed under an encryption key that is no longer listed: a new secret (outstanding
      // links stop working; they last at most 7 days anyway). Any other error is the store's.
      if (error instanceof SecretBoxError) return undefined;
      throw error;
    });
    if (stored !== undefined) return Buffer.from(stored, "base64");
    await store.setSetting(PORTAL_SECRET_SETTING, randomBytes(32).toString("base64"));
    // Read back rather than keep what was written: of two nodes racing on a fresh database,
    // the later write wins, and the earlier node reads it here too (unless it read first).
    return Buffer.from((await store.getSetting(PORTAL_SECRET_SETTING))!, "base64");
  };
  const current = () => {
    secret ??= load().catch((error) => {
      secret = undefined;
      throw error;
    });
    return secret;
  };

  return {
    async sign(grant) {
      return signPortalToken(await current(), grant);
    },
    async check(token) {
      const verdict = verifyPortalToken(await current(), token, clock());
      if (!verdict.ok) {
        throw unauthorized(
          verdict.reason === "expired"
            ? `This portal link expired at ${new Date(verdict.expiresAt).toISOString()}: ask for a new link.`
            : "Invalid portal link.",
        );
      }
      // A deleted tenant's links stop at once, like its keys.
      if ((await tenants.getTenant(verdict.grant.tenantId)) === undefined) {
        throw unauthorized("This portal link's tenant no longer exists.");
      }
      return verdict.grant;
    },
  };
}
