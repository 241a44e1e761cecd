import pg from "pg";
import { CONNECTION_TIMEOUT_MS, DUE_CHANNEL } from "./pool.ts";
import { reconnectDelay } from "./reconnect-delay.ts";

/**
 * One dedicated connection per node LISTENing on the due channel and any other of `channels` (the
 * outbox's), each listener hearing one of them (a pooled connection cannot listen: it goes back
 * to the pool). Opened with the first listener, closed with the last.
 * When the connection drops it reconnects with capped, jittered backoff, and once it listens
 * again tells every listener once: notifications sent while it was down are lost, so a look at
 * the store (the dispatcher claims at once) replaces them.
 */
export function dueListener(
  url: string,
  options: { random?: () => number; channels?: readonly string[] } = {},
) {
  const random = options.random ?? Math.random;
  const channels = options.channels ?? [DUE_CHANNEL];
  const listeners = new Set<{ channel: string; tell: (endpointIds?: string[]) => void }>();
  let client: pg.Client | undefined;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Tells the listeners of `channel`, or of every channel when it is undefined. */
  const tell = (channel: string | undefined, endpointIds?: string[]) => {
    for (const listener of listeners) {
      if (channel === undefined || listener.channel === channel) listener.tell(endpointIds);
    }
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
      tell(message.channel, message.payload ? message.payload.split(",") : undefined),
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
      await next.query(channels.map((channel) => `LISTEN ${channel}`).join("; "));
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
    if (reconnected) tell(undefined, undefined);
  }

  return {
    /** Listens on `channel` (the due channel unless named). */
    subscribe(listener: (endpointIds?: string[]) => void, channel = DUE_CHANNEL): () => void {
      const entry = { channel, tell: listener };
      listeners.add(entry);
      if (client === undefined && timer === undefined) void connect();
      return () => {
        listeners.delete(entry);
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
