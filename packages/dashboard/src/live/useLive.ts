import { useContext, useEffect, useRef } from "react";
import type { LiveMessage } from "../api/types.ts";
import { LiveContext } from "./LiveProvider.tsx";

/**
 * Calls `reload` when a live message `concerns` this screen (or the stream has just opened),
 * coalescing bursts: at most one reload per `minIntervalMs`, the last one always made.
 */
export function useLiveReload(
  concerns: (message: LiveMessage) => boolean,
  reload: () => void,
  minIntervalMs = 250,
): void {
  const live = useContext(LiveContext);
  const latest = useRef({ concerns, reload });
  latest.current = { concerns, reload };

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const fire = () => {
      timer = undefined;
      last = Date.now();
      latest.current.reload();
    };
    const unsubscribe = live.subscribe((message) => {
      if (message.type !== "opened" && !latest.current.concerns(message)) return;
      if (timer !== undefined) return;
      timer = setTimeout(fire, Math.max(0, last + minIntervalMs - Date.now()));
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [live, minIntervalMs]);
}

export function useLiveState() {
  return useContext(LiveContext).state;
}
