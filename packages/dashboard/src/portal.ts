import { session } from "./session.ts";

// A portal link opens `/portal#token=plt_…`: the token rides in the fragment, which browsers
// never send to the server nor in a Referer header. The page keeps it like a signed-in key
// (sessionStorage) and takes it out of the address bar at once, so it is not left in the
// history, a bookmark or a screenshot.

const PORTAL_PATH = "/portal";

/** True for a portal link's token (the API tells its tenant and expiry: GET /v1/portal_session). */
export const isPortalToken = (key: string) => key.startsWith("plt_");

/** Keeps the token of a portal link the page was opened with, and cleans the URL. Run before rendering. */
export function takePortalToken(): void {
  if (location.pathname !== PORTAL_PATH) return;
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token !== null && isPortalToken(token)) session.save(token);
  history.replaceState(null, "", "/");
}
