/**
 * A listen session (`hookline listen`) is an ordinary endpoint whose URL is not an HTTP target:
 * `hookline-listen://<tenant>/<name>`. The tenant makes the URL unique on the server: the hub
 * finds a session's listener by URL, and one tenant's listener must never get another's. Deliveries, attempts, retries, health and the dashboard treat it
 * like any endpoint; only the sender (listen/sender.ts) and the dispatcher's lane rules look at
 * the scheme. The public API never accepts this scheme on webhook_endpoints: only
 * POST /v1/listen_sessions creates such an endpoint.
 */
export const LISTEN_SCHEME = "hookline-listen://";

/** A session name: what `hookline listen --name` gives, stable across reconnects. */
export const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const listenUrl = (tenantId: string, name: string) => `${LISTEN_SCHEME}${tenantId}/${name}`;

export const isListenUrl = (url: string) => url.startsWith(LISTEN_SCHEME);

/** The session name of a listen URL. */
export const sessionName = (url: string) => url.slice(url.lastIndexOf("/") + 1);
