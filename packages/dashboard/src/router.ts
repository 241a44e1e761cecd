import { useSyncExternalStore } from "react";

// A few client routes need no router library: the History API and one subscription.
const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
window.addEventListener("popstate", notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current path, re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  notify();
  window.scrollTo(0, 0);
}

export type Route =
  | { screen: "overview" }
  | { screen: "endpoints" }
  | { screen: "endpoint"; id: string }
  | { screen: "events" }
  | { screen: "event"; id: string }
  | { screen: "missing" };

export function matchRoute(path: string): Route {
  const [, first, id, extra] = path.split("/");
  if (extra !== undefined) return { screen: "missing" };
  if (first === "") return { screen: "overview" };
  if (first === "endpoints")
    return id ? { screen: "endpoint", id: decodeURIComponent(id) } : { screen: "endpoints" };
  if (first === "events")
    return id ? { screen: "event", id: decodeURIComponent(id) } : { screen: "events" };
  return { screen: "missing" };
}
