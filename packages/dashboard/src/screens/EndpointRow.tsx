import { useApi } from "../api/ApiContext.ts";
import type { WebhookEndpoint } from "../api/types.ts";
import { HealthBadge } from "../components/Badges.tsx";
import { Link } from "../components/Link.tsx";
import { Sparkline } from "../components/Sparkline.tsx";
import { useLoad } from "../useLoad.ts";

/** One endpoint of the list: where it points, what it wants, how it is doing. */
export function EndpointRow({ endpoint }: { endpoint: WebhookEndpoint }) {
  const api = useApi();
  // Reloaded with the endpoint: its health summary changes whenever an attempt is recorded.
  const stats = useLoad(
    () => api.stats("1h", endpoint.id),
    [endpoint.id, endpoint.health.last_success_at, endpoint.health.last_failure_at],
  );
  return (
    <li className="row endpoint-row" data-endpoint={endpoint.id}>
      <Link to={`/endpoints/${endpoint.id}`} className="url">
        {endpoint.url}
      </Link>
      <HealthBadge endpoint={endpoint} />
      <span className="muted types">{endpoint.enabled_events.join(", ")}</span>
      <Sparkline stats={stats.data} />
    </li>
  );
}
