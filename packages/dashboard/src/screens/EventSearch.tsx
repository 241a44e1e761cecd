import { type FormEvent, useState } from "react";
import type { ListEventsParams } from "../api/client.ts";
import { navigate } from "../router.ts";

const seconds = (local: string) => Math.floor(new Date(local).getTime() / 1000);

/** Search by id (opens the event), by type (exact or `prefix.*`) and by time. */
export function EventSearch({ onSearch }: { onSearch(filters: ListEventsParams): void }) {
  const [id, setId] = useState("");
  const [type, setType] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [failedOnly, setFailedOnly] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (id.trim()) {
      navigate(`/events/${encodeURIComponent(id.trim())}`);
      return;
    }
    onSearch({
      ...(type.trim() ? { type: type.trim() } : {}),
      ...(from ? { "created[gte]": seconds(from) } : {}),
      ...(to ? { "created[lte]": seconds(to) } : {}),
      ...(failedOnly ? { delivery_success: false } : {}),
    });
  }

  return (
    <form className="panel search" onSubmit={submit} aria-label="Search events">
      <div className="field">
        <label htmlFor="search-id">Event id</label>
        <input
          id="search-id"
          placeholder="evt_…"
          value={id}
          onChange={(e) => setId(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="search-type">Type</label>
        <input
          id="search-type"
          placeholder="invoice.paid or invoice.*"
          value={type}
          onChange={(e) => setType(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="search-from">From</label>
        <input
          id="search-from"
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="search-to">To</label>
        <input
          id="search-to"
          type="datetime-local"
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={failedOnly}
          onChange={(e) => setFailedOnly(e.target.checked)}
        />{" "}
        With failed deliveries only
      </label>
      <button type="submit">Search</button>
    </form>
  );
}
