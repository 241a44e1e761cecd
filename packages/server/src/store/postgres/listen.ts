import pg from "pg";
import { CONNECTION_TIMEOUT_MS, DUE_CHANNEL } from "./pool.ts";
import { reconnectDelay } from "./reconnect-delay.ts";

/**
 * One dedicated connection per node LISTENing on the due channel, or on `channel` (the outbox's)
 * (a pooled connection cannot
 * listen: it goes back to the pool). Opened with the first listener, closed with the last.
 * When the connection drops it reconnects with capped, jittered backoff, and once it listens
 * again tells every listener once: notifications sent while it was down are lost, so a look at
 * the store (the dispatcher claims at once) replaces them.
 */
export function dueListener(
  url: string,
  options: { random?: () => number; channel?: string } = {},
) {
  const random = options.random ?? Math.random;
  const channel = options.channel ?? DUE_CHANNEL;
  const listeners = new Set<(endpointIds?: string[]) => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const tell = (endpointIds?: string[]) => {
    for (const listener of listeners) listener(endpointIds);
  };

  async function connect(): Promise<void> {
    timer = undefined;
    if (closed || listeners.size === 0) return;
    const next = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
      keepAlive: true,
    });
    client = next;
    // A payload names the endpoints whose deliveries are due (store/postgres/pool.ts notifyDue).
    next.on("notification", (message) =>
      tell(message.payload ? message.payload.split(",") : undefined),
    );
    // Every way a connection ends comes here once: a failed connect, an `error` event (which
    // must have a listener, or it kills the process), the server closing it.
    const lost = () => {
      if (client !== next) return;
      client = undefined;
      next.end().catch(() => {});
      if (closed || listeners.size === 0) return;
      timer = setTimeout(() => void connect(), reconnectDelay(failures++, random));
      timer.unref();
    };
    next.on("error", lost);
    next.on("end", lost);
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch {
      lost();
      return;
    }
    if (client !== next) {
      // Closed while connecting.
      await next.end().catch(() => {});
      return;
    }
    const reconnected = failures > 0;
    failures = 0;
    if (reconnected) tell(undefined);
  }

  return {
    subscribe(listener: (endpointIds?: string[]) => void): () => void {
      listeners.add(listener);
      if (client === undefined && timer === undefined) void connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) void stop();
      };
    },
    close: () => {
      closed = true;
      return stop();
    },
  };

  async function stop(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const current = client;
    client = undefined;
    await current?.end().catch(() => {});
  }
}
