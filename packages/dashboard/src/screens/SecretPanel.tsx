import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import type { WebhookEndpoint } from "../api/types.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Time } from "../components/Time.tsx";
import { knownSecret, rememberSecret } from "./secrets.ts";

const GRACE = [
  { value: "24h", label: "24 hours" },
  { value: "1h", label: "1 hour" },
  { value: "0", label: "No overlap (old secret stops now)" },
];

/**
 * The signing secret: the API hands it out only on create and rotate, so "reveal" shows the
 * one this page received; rotating gives a new one while the old keeps signing for a grace.
 */
export function SecretPanel(props: { endpoint: WebhookEndpoint; onRotated(): void }) {
  const api = useApi();
  const e = props.endpoint;
  const [secret, setSecret] = useState(() => knownSecret(e.id));
  const [shown, setShown] = useState(false);
  const [grace, setGrace] = useState("24h");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function rotate() {
    if (!window.confirm("Rotate the signing secret? Receivers must learn the new one.")) return;
    setBusy(true);
    setError(undefined);
    try {
      const rotated = await api.endpoints.rotateSecret(e.id, {
        expires_in: grace === "0" ? 0 : grace,
      });
      if (rotated.secret) {
        rememberSecret(e.id, rotated.secret);
        setSecret(rotated.secret);
        setShown(true);
      }
      props.onRotated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="secret-title" className="panel">
      <h2 id="secret-title">Signing secret</h2>
      {secret === undefined ? (
        <p className="muted">
          The secret is shown only when the endpoint is created or its secret rotated.
        </p>
      ) : (
        <p className="secret">
          <code data-secret>{shown ? secret : `whsec_${"•".repeat(24)}`}</code>{" "}
          <button type="button" className="secondary" onClick={() => setShown(!shown)}>
            {shown ? "Hide secret" : "Reveal secret"}
          </button>
        </p>
      )}
      {e.previous_secret_expires_at !== null && (
        <p className="muted">
          The previous secret signs too until <Time at={e.previous_secret_expires_at} />.
        </p>
      )}
      <label htmlFor="rotate-grace">Old secret keeps signing for</label>
      <select id="rotate-grace" value={grace} onChange={(ev) => setGrace(ev.target.value)}>
        {GRACE.map((g) => (
          <option key={g.value} value={g.value}>
            {g.label}
          </option>
        ))}
      </select>
      <ErrorNote error={error} />
      <button type="button" disabled={busy} onClick={rotate}>
        Rotate secret
      </button>
    </section>
  );
}
