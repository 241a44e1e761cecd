import { generateSecret } from "@hookline/webhooks";
import { HEALTHY } from "../domain/health-ladder.ts";
import { IdPrefix, newId } from "../ids.ts";
import type { EndpointRow, Store } from "../store/types.ts";
import { listenUrl } from "./url.ts";

/** The session as `hookline listen` (re)opens it, and whether this re-enabled it. */
export interface OpenedSession {
  endpoint: EndpointRow;
  reenabled: boolean;
}

/**
 * Finds the tenant's listen session of this name or creates it, so that a listener that comes
 * back gets the same endpoint, secret and backlog. The latest `enabled_events` wins, and a
 * session the failure ladder disabled is enabled again: its listener is back.
 *
 * Two listeners opening one new name at once must not create two endpoints: the create goes
 * through an idempotency key named after the session, so the second replays the first.
 */
export async function openSession(
  store: Store,
  input: { tenantId: string; name: string; enabledEvents: string[]; now: number },
): Promise<OpenedSession> {
  const { tenantId, name, enabledEvents, now } = input;
  const url = listenUrl(tenantId, name);
  const existing = (await store.tenantEndpoints(tenantId)).find((e) => e.url === url);
  if (existing !== undefined) {
    const sameEvents = existing.enabledEvents.join("\n") === enabledEvents.join("\n");
    if (sameEvents && existing.status === "enabled")
      return { endpoint: existing, reenabled: false };
    const next: EndpointRow = {
      ...existing,
      enabledEvents,
      status: "enabled",
      disabledReason: null,
      updatedAt: now,
    };
    const { previousStatus } = await store.updateEndpoint(next, now);
    return { endpoint: next, reenabled: previousStatus === "disabled" };
  }
  const endpoint: EndpointRow = {
    id: newId(IdPrefix.endpoint),
    tenantId,
    url,
    description: `hookline listen --name ${name}`,
    enabledEvents,
    metadata: {},
    signatureSchemes: "both",
    status: "enabled",
    disabledReason: null,
    secret: generateSecret(),
    previousSecret: null,
    previousSecretExpiresAt: null,
    rateLimit: null,
    // A listen session's lane is serial already: one at a time, oldest first.
    ordering: "none",
    orderingOnExhausted: "skip",
    headers: {},
    filter: null,
    auth: null,
    tlsClientCert: null,
    tlsClientKey: null,
    health: HEALTHY,
    createdAt: now,
    updatedAt: now,
  };
  const result = await store.createEndpoint(endpoint, {
    tenantId,
    key: name,
    operation: "listen_sessions.create",
    requestHash: "listen_session",
  });
  // A constant request hash cannot conflict; the branch only satisfies the type.
  if (result.kind === "conflict") throw new Error(`listen session '${name}' conflicts`);
  return { endpoint: result.endpoint, reenabled: false };
}
