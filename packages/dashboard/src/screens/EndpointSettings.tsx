import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import type { WebhookEndpoint } from "../api/types.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Time } from "../components/Time.tsx";

/** What the endpoint is set to, its subscribed types, and the enable/disable switch. */
export function EndpointSettings(props: { endpoint: WebhookEndpoint; onChanged(): void }) {
  const api = useApi();
  const e = props.endpoint;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const disabled = e.status === "disabled";

  async function toggle() {
    setBusy(true);
    setError(undefined);
    try {
      await api.endpoints.update(e.id, { disabled: !disabled });
      props.onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="settings-title" className="panel">
      <h2 id="settings-title">Settings</h2>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{e.id}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          {e.status}
          {e.disabled_reason ? ` (${e.disabled_reason})` : ""}
        </dd>
        <dt>Description</dt>
        <dd>{e.description ?? <span className="muted">—</span>}</dd>
        <dt>Signatures</dt>
        <dd>{e.signature_schemes}</dd>
        <dt>Rate limit</dt>
        <dd>{e.rate_limit === null ? "none" : `${e.rate_limit} per second`}</dd>
        <dt>Headers</dt>
        <dd>{Object.keys(e.headers).join(", ") || <span className="muted">—</span>}</dd>
        <dt>Filter</dt>
        <dd>{e.filter === null ? "every event" : <code>{JSON.stringify(e.filter)}</code>}</dd>
        <dt>Auth</dt>
        <dd>{authText(e.auth)}</dd>
        <dt>Client certificate</dt>
        <dd>
          {e.tls_client_cert == null ? (
            <span className="muted">none</span>
          ) : (
            <>
              {e.tls_client_cert.subject}, expires <Time at={e.tls_client_cert.expires_at} />
            </>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <Time at={e.created} />
        </dd>
        <dt>Event types</dt>
        <dd>
          <ul className="chips" aria-label="Subscribed event types">
            {e.enabled_events.map((t) => (
              <li key={t}>
                <code>{t}</code>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <ErrorNote error={error} />
      <button type="button" className="secondary" disabled={busy} onClick={toggle}>
        {disabled ? "Enable endpoint" : "Disable endpoint"}
      </button>
    </section>
  );
}

/** The endpoint's authentication as its answer shows it: never a password or client secret. */
function authText(auth: WebhookEndpoint["auth"]): string {
  if (auth === null) return "signature only";
  if (auth.type === "basic") return `basic (${auth.username})`;
  const scope = auth.scope === null ? "" : `, scope ${auth.scope}`;
  return `OAuth2 client credentials (${auth.client_id} at ${auth.token_url}${scope})`;
}
