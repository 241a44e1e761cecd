import type { Socket } from "node:net";
import { buildConnector } from "undici";

// Most alerts remembered at once: only connections that ended in an alert are, which is rare.
const MAX_REMEMBERED = 128;
const ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_/;

type SocketInfo = {
  localAddress?: string | undefined;
  localPort?: number | undefined;
  remotePort?: number | undefined;
};
const keyOf = (info: SocketInfo) => `${info.localAddress}|${info.localPort}|${info.remotePort}`;

/**
 * Connectors (undici's own, with the options given) that remember the TLS alert an endpoint
 * ends a connection with. Under TLS 1.3 an endpoint that wants a client certificate, or does
 * not trust the one it got, says so in an alert after the handshake, once the request is on
 * its way; undici then reports the end of the socket that follows ("other side closed") and the
 * alert is lost. `alertOf` finds it again for that error, by the connection's addresses, so the
 * attempt says "certificate required" rather than "other side closed".
 *
 * Only https connections get the listener (one per connection, not per request); a plain http
 * one is made exactly as before.
 */
export function tlsAlerts() {
  const alerts = new Map<string, Error>();
  return {
    connector(options: buildConnector.BuildOptions): buildConnector.connector {
      const connect = buildConnector(options);
      return (opts, callback) =>
        connect(opts, (error, socket) => {
          if (socket !== null && opts.protocol === "https:") {
            const tls = socket as Socket;
            tls.once("error", (first: NodeJS.ErrnoException) => {
              if (!ALERT.test(first.code ?? "")) return;
              if (alerts.size >= MAX_REMEMBERED) {
                alerts.delete(alerts.keys().next().value as string);
              }
              alerts.set(keyOf(tls), first);
            });
          }
          (callback as (error: Error | null, socket: unknown) => void)(error, socket);
        });
    },
    /** The alert behind undici's "other side closed", when its connection ended in one. */
    alertOf(thrown: unknown): Error | undefined {
      const error = thrown as { code?: string; socket?: SocketInfo } | null;
      if (error?.code !== "UND_ERR_SOCKET" || error.socket === undefined) return undefined;
      const key = keyOf(error.socket);
      const alert = alerts.get(key);
      alerts.delete(key);
      return alert;
    },
  };
}
