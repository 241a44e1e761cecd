import type { OAuth2ClientCredentials } from "../endpoint-options/oauth2-client-credentials.ts";
import type { Token } from "./oauth2-token-request.ts";

/** Most sets of client credentials whose tokens are kept; the least recently used goes first. */
export const DEFAULT_MAX_TOKENS = 1000;

interface Entry {
  promise: Promise<Token>;
  /** Set once the token came; when to get a new one. */
  refreshAtMs?: number;
  value?: string;
}

/**
 * Access tokens of OAuth2 endpoints, kept on the sender's thread and shared by every endpoint
 * with the same credentials (the key is the stored `auth` text). One request at a time per key:
 * attempts that need a token while it is being got wait for that one request, and so do the
 * attempts that all got a 401 with the same token. A failed request is forgotten at once, so
 * the next attempt asks again.
 */
export function createTokenCache(options: {
  request: (auth: OAuth2ClientCredentials) => Promise<Token>;
  now: () => number;
  max?: number;
}) {
  const max = options.max ?? DEFAULT_MAX_TOKENS;
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  const entries = new Map<string, Entry>();

  function load(key: string, auth: OAuth2ClientCredentials): Entry {
    const started = options.now();
    const entry: Entry = { promise: options.request(auth) };
    entry.promise.then(
      (token) => {
        // Used until shortly before it expires, so it does not expire on the way: a tenth of
        // its life early, at most a minute (a 60 s token is renewed after 54 s).
        entry.refreshAtMs = started + token.lifetimeMs - Math.min(60_000, token.lifetimeMs / 10);
        entry.value = token.value;
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > max) entries.delete(entries.keys().next().value as string);
    return entry;
  }

  const tokenOf = (entry: Entry) => entry.promise.then((token) => token.value);

  return {
    /** A token for these credentials: the kept one while it is fresh, else a new one. */
    get(key: string, auth: OAuth2ClientCredentials): Promise<string> {
      const entry = entries.get(key);
      if (entry === undefined || (entry.refreshAtMs ?? Number.POSITIVE_INFINITY) <= options.now()) {
        return tokenOf(load(key, auth));
      }
      entries.delete(key);
      entries.set(key, entry);
      return tokenOf(entry);
    },
    /** A token other than `refused` (the endpoint answered 401 to it): got anew unless already. */
    refresh(key: string, auth: OAuth2ClientCredentials, refused: string): Promise<string> {
      const entry = entries.get(key);
      const replaced =
        entry !== undefined && (entry.value === undefined || entry.value !== refused);
      return tokenOf(replaced ? entry : load(key, auth));
    },
    size: () => entries.size,
  };
}
export type TokenCache = ReturnType<typeof createTokenCache>;
