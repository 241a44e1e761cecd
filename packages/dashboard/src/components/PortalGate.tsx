import type { ReactNode } from "react";
import { type Api, errorText } from "../api/client.ts";
import type { PortalSession } from "../api/types.ts";
import { useLoad } from "../useLoad.ts";

/**
 * Opens a portal link's session (its tenant and expiry) before drawing any screen, so the header
 * can say whose portal this is; an expired or refused link gets a page that says so, and no
 * API-key sign-in form its holder could not use.
 */
export function PortalGate({
  api,
  onLeave,
  children,
}: {
  api: Api;
  onLeave(): void;
  children(portal: PortalSession): ReactNode;
}) {
  const session = useLoad(() => api.portalSession(), [api]);
  if (session.data !== undefined) return children(session.data);
  return (
    <main className="sign-in">
      <h1>Hookline</h1>
      {session.error === undefined ? (
        <p role="status">Opening the portal…</p>
      ) : (
        <>
          <p role="alert" className="error">
            This portal link cannot be used: {errorText(session.error)}
          </p>
          <p>Ask whoever gave it to you for a new link.</p>
          <button type="button" className="secondary" onClick={onLeave}>
            Close the portal
          </button>
        </>
      )}
    </main>
  );
}

/** After leaving a portal: open the link again, or sign in with a key. */
export function PortalClosed({ onSignIn }: { onSignIn(): void }) {
  return (
    <main className="sign-in">
      <h1>Hookline</h1>
      <p role="status">You left the portal. Open your portal link again to come back.</p>
      <button type="button" className="secondary" onClick={onSignIn}>
        Sign in with an API key
      </button>
    </main>
  );
}
