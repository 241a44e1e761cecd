import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { useLiveReload } from "../live/useLive.ts";
import { useLoad } from "../useLoad.ts";
import { EndpointRow } from "./EndpointRow.tsx";
import { NewEndpointForm } from "./NewEndpointForm.tsx";

export function Endpoints() {
  const api = useApi();
  const [cursor, setCursor] = useState<string>();
  const page = useLoad(
    () => api.endpoints.list({ limit: 25, ...(cursor ? { starting_after: cursor } : {}) }),
    [cursor],
  );
  useLiveReload((m) => m.type === "delivery.attempted", page.reload);
  const list = page.data?.data ?? [];

  return (
    <>
      <h1>Endpoints</h1>
      <NewEndpointForm />
      <section aria-labelledby="endpoints-title" className="panel">
        <h2 id="endpoints-title">Registered endpoints</h2>
        <ErrorNote error={page.error} />
        {page.data && list.length === 0 && <p className="muted">No endpoints yet.</p>}
        <ul className="rows">
          {list.map((e) => (
            <EndpointRow key={e.id} endpoint={e} />
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
