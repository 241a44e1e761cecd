import { useApi } from "../api/ApiContext.ts";
import { endpointCondition, HealthBadge } from "../components/Badges.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Link } from "../components/Link.tsx";
import { Time } from "../components/Time.tsx";
import { useLiveReload } from "../live/useLive.ts";
import { useLoad } from "../useLoad.ts";

/** The endpoints failing right now, from each endpoint's health summary (no extra queries). */
export function FailingEndpoints() {
  const api = useApi();
  const endpoints = useLoad(() => api.endpoints.list({ limit: 100 }), []);
  useLiveReload((m) => m.type === "delivery.attempted", endpoints.reload);
  const failing = (endpoints.data?.data ?? []).filter((e) => endpointCondition(e) !== "healthy");

  return (
    <section aria-labelledby="failing-title" className="panel">
      <h2 id="failing-title">Failing now</h2>
      <ErrorNote error={endpoints.error} />
      {endpoints.data && failing.length === 0 && (
        <p className="muted">Every endpoint is healthy.</p>
      )}
      {failing.length > 0 && (
        <ul className="rows">
          {failing.map((e) => (
            <li key={e.id} className="row">
              <Link to={`/endpoints/${e.id}`} className="url">
                {e.url}
              </Link>
              <HealthBadge endpoint={e} />
              <span className="muted">
                failing since <Time at={e.health.failing_since ?? e.health.last_failure_at} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
