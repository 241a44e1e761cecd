import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import type { ListEventsParams } from "../api/client.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Link } from "../components/Link.tsx";
import { Time } from "../components/Time.tsx";
import { useLiveReload } from "../live/useLive.ts";
import { useLoad } from "../useLoad.ts";
import { EventSearch } from "./EventSearch.tsx";

/** Events, newest first, by type and time; the first page follows new events live. */
export function Events() {
  const api = useApi();
  const [filters, setFilters] = useState<ListEventsParams>({});
  const [cursor, setCursor] = useState<string>();
  const page = useLoad(
    () => api.events.list({ limit: 25, ...filters, ...(cursor ? { starting_after: cursor } : {}) }),
    [filters, cursor],
  );
  useLiveReload(
    (m) => cursor === undefined && (m.type === "event.created" || m.type === "delivery.attempted"),
    page.reload,
  );
  const list = page.data?.data ?? [];

  return (
    <>
      <h1>Events</h1>
      <EventSearch
        onSearch={(next) => {
          setFilters(next);
          setCursor(undefined);
        }}
      />
      <section aria-labelledby="events-title" className="panel">
        <h2 id="events-title">Events</h2>
        <ErrorNote error={page.error} />
        {page.data && list.length === 0 && <p className="muted">No events match.</p>}
        <ul className="rows">
          {list.map((e) => (
            <li key={e.id} className="row" data-event={e.id}>
              <Link to={`/events/${e.id}`} className="mono">
                {e.id}
              </Link>
              <code>{e.type}</code>
              <Time at={e.created} />
              <span className="muted">
                {e.pending_webhooks === 0
                  ? "all delivered or finished"
                  : `${e.pending_webhooks} pending`}
              </span>
            </li>
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
    </>
  );
}
