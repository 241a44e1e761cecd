import pg from "pg";
import { DUE_CHANNEL } from "./pool.ts";

/**
 * One dedicated connection per node LISTENing on the due channel (a pooled connection cannot
 * listen: it goes back to the pool). Opened with the first listener, closed with the last.
 * When the connection drops it reconnects with backoff, and then tells every listener once:
 * notifications sent while it was down are lost, so a look at the store replaces them.
 */
export function dueListener(url: string) {
  const listeners = new Set<() => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined;

  const tell = () => {
    for (const listener of listeners) listener();
  };

  async function connect(): Promise<void> {
    if (closed || listeners.size === 0) return;
    const next = new pg.Client({ connectionString: url });
    client = next;
    next.on("notification", tell);
    const lost = () => {
      if (client !== next) return;
      client = undefined;
      next.end().catch(() => {});
      if (closed || listeners.size === 0) return;
      timer = setTimeout(() => void connect().then(tell), retryMs);
      timer.unref();
      retryMs = Math.min(retryMs * 2, 5000);
    };
    next.on("error", lost);
    next.on("end", lost);
    try {
      await next.connect();
      await next.query(`LISTEN ${DUE_CHANNEL}`);
      retryMs = 100;
    } catch {
      lost();
    }
  }

  return {
    subscribe(listener: () => void): () => void {
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
