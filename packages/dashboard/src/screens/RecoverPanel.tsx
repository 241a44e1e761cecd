import { type FormEvent, useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import type { WebhookEndpoint } from "../api/types.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { countRecoverable } from "./recover-count.ts";

/** A `datetime-local` value (local time, minutes) for a unix time in seconds. */
function localInput(seconds: number): string {
  const d = new Date(seconds * 1000);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/**
 * "Recover since…": counts the failed and skipped deliveries since a time, and only then
 * offers to re-queue them, so nobody resends a week of events by accident.
 */
export function RecoverPanel({ endpoint }: { endpoint: WebhookEndpoint }) {
  const api = useApi();
  const start = endpoint.health.failing_since ?? Math.floor(Date.now() / 1000) - 86_400;
  const [since, setSince] = useState(() => localInput(start));
  const [count, setCount] = useState<{ count: number; capped: boolean; since: number }>();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  const check = (event: FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    const at = Math.floor(new Date(since).getTime() / 1000);
    return run(async () =>
      setCount({ ...(await countRecoverable(api, endpoint.id, at)), since: at }),
    );
  };
  const recover = () =>
    run(async () => {
      if (count === undefined) return;
      const result = await api.endpoints.recover(endpoint.id, { since: count.since });
      setDone(`Re-queued ${result.requeued} deliveries.`);
      setCount(undefined);
    });

  return (
    <section aria-labelledby="recover-title" className="panel">
      <h2 id="recover-title">Recover</h2>
      <form onSubmit={check} className="stack">
        <label htmlFor="recover-since">Re-send failed and skipped deliveries since</label>
        <input
          id="recover-since"
          type="datetime-local"
          required
          value={since}
          onChange={(e) => {
            setSince(e.target.value);
            setCount(undefined);
          }}
        />
        <button type="submit" className="secondary" disabled={busy}>
          Count deliveries
        </button>
      </form>
      {count && (
        <div role="status" className="confirm">
          <p data-recover-count={count.count}>
            {count.capped ? "At least " : ""}
            {count.count} {count.count === 1 ? "delivery" : "deliveries"} would be sent again.
          </p>
          {count.count > 0 && (
            <button
              type="button"
              disabled={busy || endpoint.status === "disabled"}
              onClick={recover}
            >
              Recover {count.count} {count.count === 1 ? "delivery" : "deliveries"}
            </button>
          )}
          {endpoint.status === "disabled" && <p className="hint">Enable the endpoint first.</p>}
        </div>
      )}
      {done && <p role="status">{done}</p>}
      <ErrorNote error={error} />
    </section>
  );
}
