import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import type { WebhookDelivery } from "../api/types.ts";
import { StatusBadge } from "../components/Badges.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Link } from "../components/Link.tsx";
import { Time } from "../components/Time.tsx";
import { AttemptList } from "./AttemptList.tsx";

/**
 * One delivery: its state, its last answer, a retry button, and its attempts on demand.
 * `link`: what the row points to (the event from an endpoint's list, and the reverse).
 */
export function DeliveryRow(props: {
  delivery: WebhookDelivery;
  link: "event" | "endpoint";
  onRetried(): void;
}) {
  const api = useApi();
  const d = props.delivery;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function retry() {
    setBusy(true);
    setError(undefined);
    try {
      await api.deliveries.retry(d.id);
      props.onRetried();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const target =
    props.link === "event" ? (
      <Link to={`/events/${d.event}`}>{d.event}</Link>
    ) : (
      <Link to={`/endpoints/${d.endpoint}`}>{d.endpoint}</Link>
    );
  return (
    <li className="row delivery" data-delivery={d.id}>
      <div className="delivery-head">
        <StatusBadge status={d.status} />
        <span className="target">{target}</span>
        {d.ordering_key !== null && d.sequence !== null && (
          <span
            className="muted"
            data-sequence
            title="Ordering key and position (Hookline-Sequence)"
          >
            {d.ordering_key} #{d.sequence}
          </span>
        )}
        <span className="muted">
          {d.attempt_count} {d.attempt_count === 1 ? "attempt" : "attempts"}
          {d.last_status_code !== null ? `, last answer ${d.last_status_code}` : ""}
          {d.last_error && d.last_status_code === null ? `, ${d.last_error}` : ""}
        </span>
        <span className="muted">
          <Time at={d.last_attempt_at ?? d.created} />
        </span>
        <button
          type="button"
          className="secondary"
          disabled={busy || d.status === "in_flight"}
          onClick={retry}
          aria-label={`Retry delivery ${d.id}`}
        >
          Retry
        </button>
      </div>
      <ErrorNote error={error} />
      {d.attempt_count > 0 && (
        <AttemptList deliveryId={d.id} version={`${d.attempt_count}:${d.status}`} />
      )}
    </li>
  );
}
