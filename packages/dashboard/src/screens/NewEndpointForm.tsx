import { type FormEvent, useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { navigate } from "../router.ts";
import { rememberSecret } from "./secrets.ts";

/** Registers an endpoint, then opens it with its new secret shown once. */
export function NewEndpointForm() {
  const api = useApi();
  const [url, setUrl] = useState("");
  const [types, setTypes] = useState("*");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.endpoints.create({
        url: url.trim(),
        enabled_events: types
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      if (created.secret) rememberSecret(created.id, created.secret);
      navigate(`/endpoints/${created.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <details className="panel">
      <summary>Add an endpoint</summary>
      <form onSubmit={submit} className="stack">
        <label htmlFor="new-url">URL</label>
        <input
          id="new-url"
          type="url"
          required
          placeholder="https://example.com/webhooks"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <label htmlFor="new-types">Event types</label>
        <input
          id="new-types"
          required
          aria-describedby="new-types-hint"
          value={types}
          onChange={(e) => setTypes(e.target.value)}
        />
        <p id="new-types-hint" className="hint">
          Comma-separated: <code>*</code>, exact types, or prefixes such as <code>invoice.*</code>.
        </p>
        <label htmlFor="new-description">Description (optional)</label>
        <input
          id="new-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create endpoint"}
        </button>
      </form>
    </details>
  );
}
