import { Hookline, HooklineApiError } from "@hookline/webhooks/client";
import type { OutboxFailureList, PortalSession, Stats } from "./types.ts";

export type { ListEventsParams } from "@hookline/webhooks/client";
export { HooklineApiError };

/**
 * The public API as the signed-in key sees it: the typed client for the resources, plus the
 * dashboard's own reads (stats). Same origin as the page, so no CORS.
 */
export function createApi(apiKey: string) {
  // One retry: a dashboard should show an error quickly rather than spin.
  const client = new Hookline({ url: location.origin, apiKey, maxRetries: 1 });
  return {
    apiKey,
    endpoints: client.endpoints,
    events: client.events,
    deliveries: client.deliveries,
    stats: (window: "1h" | "24h", endpoint?: string) =>
      getJson<Stats>(
        `/v1/stats?window=${window}${endpoint ? `&endpoint=${encodeURIComponent(endpoint)}` : ""}`,
        apiKey,
      ),
    portalSession: () => getJson<PortalSession>("/v1/portal_session", apiKey),
    outboxFailures: () => getJson<OutboxFailureList>("/v1/outbox_failures?limit=20", apiKey),
  };
}
export type Api = ReturnType<typeof createApi>;

async function getJson<T>(path: string, apiKey: string): Promise<T> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new HooklineApiError({
      type: body?.error?.type ?? "api_error",
      code: body?.error?.code ?? `http_${response.status}`,
      message: body?.error?.message ?? `HTTP ${response.status}`,
      status: response.status,
      requestId: response.headers.get("request-id") ?? undefined,
    });
  }
  return body as T;
}

/** Words for any error a call throws. */
export function errorText(error: unknown): string {
  // A portal link may not do everything a key may: say so rather than show a bare failure.
  if (error instanceof HooklineApiError && error.status === 403) {
    return `Not allowed: ${error.message}`;
  }
  if (error instanceof HooklineApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
