import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Time } from "../components/Time.tsx";
import { useLiveReload } from "../live/useLive.ts";
import { useLoad } from "../useLoad.ts";
import { DeliveryRow } from "./DeliveryRow.tsx";

/** One event: its payload, and its deliveries per endpoint with every attempt. */
export function EventDetail({ id }: { id: string }) {
  const api = useApi();
  const event = useLoad(() => api.events.retrieve(id), [id]);
  const deliveries = useLoad(() => api.deliveries.list({ event: id, limit: 100 }), [id]);
  useLiveReload((m) => m.type === "delivery.attempted" && m.data.event === id, deliveries.reload);
  const [retryError, setRetryError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const e = event.data;

  async function retryAll() {
    setBusy(true);
    setRetryError(undefined);
    try {
      await api.events.retry(id);
      deliveries.reload();
    } catch (failure) {
      setRetryError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="title-row">
        <h1>
          <code>{e?.type ?? "Event"}</code>
        </h1>
        <button type="button" disabled={busy || !e} onClick={retryAll}>
          Resend to every endpoint
        </button>
      </div>
      <ErrorNote error={event.error ?? retryError} />
      {e && (
        <p className="muted">
          <code>{e.id}</code> · created <Time at={e.created} />
        </p>
      )}
      <section aria-labelledby="event-deliveries" className="panel">
        <h2 id="event-deliveries">Deliveries</h2>
        <ErrorNote error={deliveries.error} />
        {deliveries.data?.data.length === 0 && (
          <p className="muted">No endpoint was subscribed to this event.</p>
        )}
        <ul className="rows">
          {deliveries.data?.data.map((d) => (
            <DeliveryRow key={d.id} delivery={d} link="endpoint" onRetried={deliveries.reload} />
          ))}
        </ul>
      </section>
      {e && (
        <section aria-labelledby="event-payload" className="panel">
          <h2 id="event-payload">Payload</h2>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll */}
          <pre className="body" tabIndex={0}>
            {JSON.stringify(e, null, 2)}
          </pre>
        </section>
      )}
    </>
  );
}
