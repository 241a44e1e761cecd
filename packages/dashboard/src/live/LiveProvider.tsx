import { createContext, type ReactNode, useEffect, useRef, useState } from "react";
import { readStream } from "../api/stream.ts";
import type { LiveMessage } from "../api/types.ts";

export type LiveState = "connecting" | "live" | "offline";
type Listener = (message: LiveMessage | { type: "opened" }) => void;

export interface Live {
  state: LiveState;
  subscribe(listener: Listener): () => void;
}

export const LiveContext = createContext<Live>({ state: "offline", subscribe: () => () => {} });

/** Waits between reconnection attempts: the server may be restarting. */
const RECONNECT_MS = 2000;

/**
 * Keeps one stream open for the whole app and hands its messages to subscribed screens. Each
 * time the stream opens (the first time too: a screen may have loaded just before) screens are
 * told to reload, since messages sent while not connected are not replayed.
 */
export function LiveProvider({ apiKey, children }: { apiKey: string; children: ReactNode }) {
  const [state, setState] = useState<LiveState>("connecting");
  const listeners = useRef(new Set<Listener>());
  const [live] = useState<Omit<Live, "state">>(() => ({
    subscribe(listener) {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
  }));

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tell: Listener = (message) => {
      for (const listener of listeners.current) listener(message);
    };
    const connect = () => {
      setState("connecting");
      readStream(
        apiKey,
        {
          onOpen() {
            setState("live");
            tell({ type: "opened" });
          },
          onMessage: tell,
        },
        abort.signal,
      )
        .catch(() => {})
        .finally(() => {
          if (abort.signal.aborted) return;
          setState("offline");
          timer = setTimeout(connect, RECONNECT_MS);
        });
    };
    connect();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [apiKey]);

  return <LiveContext.Provider value={{ state, ...live }}>{children}</LiveContext.Provider>;
}
