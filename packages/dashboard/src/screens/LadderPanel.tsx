import { useApi } from "../api/ApiContext.ts";
import type { WebhookEndpoint } from "../api/types.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Time } from "../components/Time.tsx";
import { useLoad } from "../useLoad.ts";

const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);

/** Where the endpoint is on the disable ladder, and its last day of attempts. */
export function LadderPanel({ endpoint }: { endpoint: WebhookEndpoint }) {
  const api = useApi();
  const h = endpoint.health;
  // Follows the summary: a recorded attempt changes it, and the report with it.
  const report = useLoad(
    () => api.endpoints.health(endpoint.id),
    [endpoint.id, h.last_success_at, h.last_failure_at, endpoint.status],
  );
  const r = report.data;
  return (
    <section aria-labelledby="ladder-title" className="panel">
      <h2 id="ladder-title">Health</h2>
      <dl className="facts">
        <dt>Ladder</dt>
        <dd data-ladder={h.state}>{h.state.replace("_", " ")}</dd>
        <dt>Failures in a row</dt>
        <dd>{h.consecutive_failures}</dd>
        <dt>Failing since</dt>
        <dd>
          <Time at={h.failing_since} />
        </dd>
        <dt>Disabled at</dt>
        <dd>
          <Time at={h.disable_at} />
        </dd>
        <dt>Last success</dt>
        <dd>
          <Time at={h.last_success_at} />
        </dd>
        <dt>Last failure</dt>
        <dd>
          <Time at={h.last_failure_at} />
        </dd>
        {r && (
          <>
            <dt>Last day</dt>
            <dd>
              {r.window.attempts} attempts, {percent(r.window.success_rate)} ok, p95{" "}
              {r.window.latency_ms.p95 ?? "—"} ms
            </dd>
            <dt>Open deliveries</dt>
            <dd>
              {r.deliveries.pending} pending, {r.deliveries.in_flight} in flight,{" "}
              {r.deliveries.failed} failed, {r.deliveries.skipped} skipped
            </dd>
          </>
        )}
      </dl>
      <ErrorNote error={report.error} />
    </section>
  );
}
