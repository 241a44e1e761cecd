import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import type { DeliveryStatus } from "../api/types.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { useLiveReload } from "../live/useLive.ts";
import { useLoad } from "../useLoad.ts";
import { DeliveryRow } from "./DeliveryRow.tsx";

const STATUSES = ["pending", "in_flight", "succeeded", "failed", "skipped", "cancelled"] as const;

/** An endpoint's deliveries, newest first, filtered by status, updated live. */
export function DeliveryList({ endpointId }: { endpointId: string }) {
  const api = useApi();
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const [cursor, setCursor] = useState<string>();
  const page = useLoad(
    () =>
      api.deliveries.list({
        endpoint: endpointId,
        limit: 20,
        ...(status ? { status } : {}),
        ...(cursor ? { starting_after: cursor } : {}),
      }),
    [endpointId, status, cursor],
  );
  useLiveReload(
    (m) =>
      (m.type === "delivery.attempted" && m.data.endpoint === endpointId) ||
      m.type === "event.created",
    page.reload,
  );
  const list = page.data?.data ?? [];

  return (
    <section aria-labelledby="deliveries-title" className="panel">
      <div className="title-row">
        <h2 id="deliveries-title">Deliveries</h2>
        <label>
          Status{" "}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as DeliveryStatus | "");
              setCursor(undefined);
            }}
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={page.error} />
      {page.data && list.length === 0 && <p className="muted">No deliveries.</p>}
      <ul className="rows">
        {list.map((d) => (
          <DeliveryRow key={d.id} delivery={d} link="event" onRetried={page.reload} />
        ))}
      </ul>
      <div className="pager">
        {cursor && (
          <button type="button" className="secondary" onClick={() => setCursor(undefined)}>
            Newest
          </button>
        )}
        {page.data?.has_more && (
          <button type="button" className="secondary" onClick={() => setCursor(list.at(-1)?.id)}>
            Older
          </button>
        )}
      </div>
    </section>
  );
}
