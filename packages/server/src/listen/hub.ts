import { randomUUID } from "node:crypto";
import type { SendOutcome, SendRequest } from "../dispatch/outcome.ts";
import { baseHeaders, signatureHeaders } from "../dispatch/send.ts";
import { traceHeaders } from "../dispatch/trace-headers.ts";
import { type ListenReport, reportOutcome, unansweredOutcome } from "./outcome.ts";
import { REPORT_GRACE_MS } from "./timeout.ts";
import { isListenUrl } from "./url.ts";

/** The server side of one listener's event stream (server-sent events). */
export interface ListenStream {
  send(event: string, data: unknown): void;
  end(): void;
}

interface Connection {
  endpointId: string;
  /** The session's URL: unique on the server, tenant included. */
  url: string;
  name: string;
  stream: ListenStream;
  timeoutMs: number;
}

interface Waiting {
  connection: Connection;
  requestHeaders: Record<string, string>;
  started: number;
  settle(outcome: SendOutcome): void;
}

/**
 * The listeners connected to this node, one per listen session, and the attempts pushed to them
 * that wait for a report. A delivery to a session is signed exactly as the HTTP sender signs,
 * pushed down the listener's stream, and ends when the listener reports the local app's answer
 * (POST …/results), when its timeout passes, or when the listener goes away.
 */
export interface ListenHub {
  /** Remembers that an endpoint is a listen session, before any of its URLs is seen. */
  register(endpointId: string): void;
  /** True for a listen session (by its URL when given, or as registered). */
  isSession(endpointId: string, url?: string): boolean;
  /** True while a listener is connected to the session this URL names. */
  isConnected(url: string): boolean;
  /**
   * Attaches a listener. One listener per session: one already there is told it was replaced
   * and cut off (two terminals listening under one name would otherwise split the deliveries).
   * Returns `detach`, for when its stream closes.
   */
  connect(
    session: { endpointId: string; url: string; name: string; timeoutMs: number },
    stream: ListenStream,
  ): () => void;
  /** The listen sender: one attempt to a listen session. Never rejects. */
  send(request: SendRequest): Promise<SendOutcome>;
  /** Ends a waiting attempt with the listener's report; false when no such attempt waits. */
  report(endpointId: string, report: ListenReport): boolean;
  /** Ends every stream (the server stops); their attempts end as unanswered. */
  closeAll(): void;
}

export function createListenHub(options: { now?: () => number } = {}): ListenHub {
  const now = options.now ?? Date.now;
  const sessions = new Set<string>();
  const connections = new Map<string, Connection>();
  const waiting = new Map<string, Waiting>();

  /** Ends the attempts a connection still owes: its listener left before reporting them. */
  function abandon(connection: Connection, message: string): void {
    for (const w of waiting.values()) {
      if (w.connection !== connection) continue;
      w.settle(
        unansweredOutcome("connection_failed", message, w.requestHeaders, now() - w.started),
      );
    }
  }

  function disconnect(connection: Connection, message: string): void {
    if (connections.get(connection.url) === connection) connections.delete(connection.url);
    abandon(connection, message);
  }

  return {
    register: (endpointId) => void sessions.add(endpointId),
    isSession: (endpointId, url) =>
      sessions.has(endpointId) || (url !== undefined && isListenUrl(url)),
    isConnected: (url) => connections.has(url),

    connect(session, stream) {
      sessions.add(session.endpointId);
      const previous = connections.get(session.url);
      if (previous !== undefined) {
        previous.stream.send("replaced", {
          message: `another listener connected to session '${session.name}'`,
        });
        previous.stream.end();
        disconnect(previous, "another listener took over the session before this one answered");
      }
      const connection: Connection = { ...session, stream };
      connections.set(session.url, connection);
      return () => disconnect(connection, "the listener disconnected before it answered");
    },

    send(request) {
      const started = now();
      // Traced as an HTTP attempt is: the listener forwards these headers to the local app.
      const requestHeaders = { ...baseHeaders(), ...traceHeaders(request) };
      try {
        Object.assign(requestHeaders, signatureHeaders(request, started));
      } catch (error) {
        return Promise.resolve({
          kind: "failed",
          retryable: false,
          error: "unknown",
          message: String(error),
          requestHeaders,
          durationMs: 0,
        });
      }
      const connection = connections.get(request.url);
      if (connection === undefined) {
        // The dispatcher holds a session's deliveries while nobody listens; this is the race
        // where the listener left between the claim and the send.
        const message = "no listener is connected to this listen session";
        return Promise.resolve(unansweredOutcome("connection_failed", message, requestHeaders, 0));
      }
      const attempt = randomUUID();
      return new Promise<SendOutcome>((resolve) => {
        const timer = setTimeout(() => {
          const message = `the listener reported no answer within ${connection.timeoutMs} ms`;
          settle(unansweredOutcome("timeout", message, requestHeaders, now() - started));
        }, connection.timeoutMs + REPORT_GRACE_MS);
        const settle = (outcome: SendOutcome) => {
          clearTimeout(timer);
          if (waiting.delete(attempt)) resolve(outcome);
        };
        waiting.set(attempt, { connection, requestHeaders, started, settle });
        connection.stream.send("delivery", {
          attempt,
          event: request.eventId,
          headers: requestHeaders,
          body: request.body.toString("utf8"),
        });
      });
    },

    report(endpointId, report) {
      const w = waiting.get(report.attempt);
      if (w === undefined || w.connection.endpointId !== endpointId) return false;
      w.settle(reportOutcome(report, w.requestHeaders));
      return true;
    },

    closeAll() {
      for (const connection of [...connections.values()]) {
        connection.stream.end();
        disconnect(connection, "the server stopped before the listener answered");
      }
    },
  };
}
