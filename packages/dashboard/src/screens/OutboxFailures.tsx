import { useApi } from "../api/ApiContext.ts";
import { HooklineApiError } from "../api/client.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Time } from "../components/Time.tsx";
import { useLoad } from "../useLoad.ts";

/**
 * The outbox rows Hookline set aside (docs/outbox.md), with why. Shown only when there are some:
 * a server on SQLite has no outbox, and only the root key may list them (tenant keys and portal
 * links get a 403), so either answer hides the panel instead of showing an error.
 */
export function OutboxFailures() {
  const api = useApi();
  const failures = useLoad(() => api.outboxFailures(), []);
  const hidden =
    failures.error instanceof HooklineApiError &&
    (failures.error.code === "outbox_unavailable" || failures.error.status === 403);
  if (hidden || (failures.data !== undefined && failures.data.data.length === 0)) return null;
  if (failures.data === undefined && failures.error === undefined) return null;

  return (
    <section aria-labelledby="outbox-title" className="panel">
      <h2 id="outbox-title">Outbox rows set aside</h2>
      <ErrorNote error={failures.error} />
      {failures.data && (
        <ul className="rows">
          {failures.data.data.map((f) => (
            <li key={f.id} className="row">
              <code>{f.type}</code>
              <span className="muted">{f.tenant}</span>
              <span>
                {f.error.message}
                {f.error.param && <span className="muted"> ({f.error.param})</span>}
              </span>
              <span className="muted">
                set aside <Time at={f.failed} />
              </span>
            </li>
          ))}
        </ul>
      )}
      {failures.data?.has_more && <p className="muted">More in GET /v1/outbox_failures.</p>}
    </section>
  );
}
