import type { Sender } from "../dispatch/send.ts";
import type { ListenHub } from "./hub.ts";
import { isListenUrl } from "./url.ts";

/**
 * The server's sender with listen sessions routed to their listeners: `hookline-listen://` URLs
 * go down a listener's stream (listen/hub.ts), every other URL over HTTP as before.
 */
export function routeListenSessions(http: Sender, hub: ListenHub): Sender {
  return {
    send: (request) => (isListenUrl(request.url) ? hub.send(request) : http.send(request)),
    close: () => http.close(),
  };
}
