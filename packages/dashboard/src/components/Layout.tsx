import type { ReactNode } from "react";
import type { PortalSession } from "../api/types.ts";
import { useLiveState } from "../live/useLive.ts";
import { usePath } from "../router.ts";
import { Link } from "./Link.tsx";

const NAV = [
  { to: "/", label: "Overview" },
  { to: "/endpoints", label: "Endpoints" },
  { to: "/events", label: "Events" },
];

const LIVE_TEXT = { live: "Live", connecting: "Connecting…", offline: "Offline" } as const;

export function Layout({
  children,
  onSignOut,
  portal,
}: {
  children: ReactNode;
  onSignOut(): void;
  /** Set when signed in with a portal link: whose portal it is, shown in the header. */
  portal?: PortalSession | undefined;
}) {
  const path = usePath();
  const live = useLiveState();
  const current = (to: string) => (to === "/" ? path === "/" : path.startsWith(to));
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Hookline</span>
        {portal && (
          <span
            className="portal-badge"
            data-portal-tenant={portal.tenant.id}
            title={`Only ${portal.tenant.name}'s endpoints and events; this link works until ${new Date(portal.expires_at * 1000).toLocaleString()}.`}
          >
            Portal: {portal.tenant.name}
          </span>
        )}
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to} aria-current={current(item.to) ? "page" : undefined}>
                <Link to={item.to}>{item.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className={`live live-${live}`} role="status" data-live={live}>
          {LIVE_TEXT[live]}
        </span>
        <button type="button" className="secondary" onClick={onSignOut}>
          {portal ? "Leave portal" : "Sign out"}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
