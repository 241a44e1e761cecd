import { HooklineApiError, HooklineConnectionError } from "@hookline/webhooks/client";

// The three listen-session calls of `hookline listen`. The typed client in @hookline/webhooks
// has no listen sessions: they serve this command only, and one of them is a stream.

export interface Session {
  id: string;
  url: string;
  secret: string;
  enabled_events: string[];
}

export interface Report {
  attempt: string;
  status?: number;
  body?: string;
  duration_ms: number;
  error?: { kind: "connection_failed" | "timeout" | "unknown"; message: string };
}

export function listenApi(server: { url: string; apiKey: string }) {
  const base = server.url.replace(/\/+$/, "");
  const headers = { authorization: `Bearer ${server.apiKey}` };

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; accept?: string; signal?: AbortSignal } = {},
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...headers,
          accept: init.accept ?? "application/json",
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new HooklineConnectionError(
        `${method} ${base}${path.split("?", 1)[0]} got no answer: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!response.ok) throw await apiError(response);
    return response;
  }

  return {
    /** Opens (or creates) the session of this name; its secret is in the answer. */
    openSession: async (name: string, events: string[]) =>
      (await (
        await call("POST", "/v1/listen_sessions", { body: { name, enabled_events: events } })
      ).json()) as Session,
    /** The session's event stream; the caller reads its body. */
    openStream: (sessionId: string, timeoutMs: number, signal: AbortSignal) =>
      call(
        "GET",
        `/v1/listen_sessions/${encodeURIComponent(sessionId)}/stream?timeout_ms=${timeoutMs}`,
        { accept: "text/event-stream", signal },
      ),
    report: async (sessionId: string, report: Report) => {
      const path = `/v1/listen_sessions/${encodeURIComponent(sessionId)}/results`;
      await (await call("POST", path, { body: report })).json();
    },
  };
}

export type ListenApi = ReturnType<typeof listenApi>;

async function apiError(response: Response): Promise<HooklineApiError> {
  const text = await response.text();
  let error: { type?: string; code?: string; message?: string; param?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // Not our JSON (a proxy's error page): described below.
  }
  return new HooklineApiError({
    type: error?.type ?? "api_error",
    code: error?.code ?? `http_${response.status}`,
    message: error?.message ?? `HTTP ${response.status}: ${text.slice(0, 200)}`,
    param: error?.param,
    status: response.status,
    requestId: response.headers.get("request-id") ?? undefined,
  });
}
