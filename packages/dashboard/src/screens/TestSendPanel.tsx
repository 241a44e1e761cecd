import { type FormEvent, useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import type { EndpointTest, WebhookEndpoint } from "../api/types.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";

/**
 * "Send test event": one signed example of a catalog type to this endpoint alone, and what it
 * answered, before real events go to it. Nothing is stored; the answer is shown here only.
 */
export function TestSendPanel({ endpoint }: { endpoint: WebhookEndpoint }) {
  const api = useApi();
  const [type, setType] = useState("payment_intent.succeeded");
  const [result, setResult] = useState<EndpointTest>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function send(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await api.endpoints.test(endpoint.id, { type: type.trim() }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const attempt = result?.attempt;
  return (
    <section aria-labelledby="test-send-title" className="panel">
      <h2 id="test-send-title">Test</h2>
      <form onSubmit={send} className="stack">
        <label htmlFor="test-send-type">Send an example event of type</label>
        <input
          id="test-send-type"
          required
          value={type}
          onChange={(e) => setType(e.target.value)}
        />
        <button type="submit" className="secondary" disabled={busy}>
          {busy ? "Sending…" : "Send test event"}
        </button>
      </form>
      <ErrorNote error={error} />
      {result && attempt && (
        <div role="status" data-test-send={result.succeeded ? "succeeded" : "failed"}>
          <p>
            {result.succeeded ? "Delivered" : "Not delivered"}:{" "}
            {attempt.status_code === null ? "no answer" : `status ${attempt.status_code}`} in{" "}
            {attempt.duration_ms} ms
            {attempt.error ? ` (${attempt.error.message})` : ""}
          </p>
          {attempt.response_body ? <pre className="body">{attempt.response_body}</pre> : null}
        </div>
      )}
    </section>
  );
}
