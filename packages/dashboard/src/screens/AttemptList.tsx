import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { useLoad } from "../useLoad.ts";
import { AttemptView } from "./AttemptView.tsx";

/**
 * A delivery's attempts, loaded when opened. `version` changes when the delivery does, so an
 * open list follows new attempts.
 */
export function AttemptList({ deliveryId, version }: { deliveryId: string; version: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Attempts</summary>
      {open && <Attempts deliveryId={deliveryId} version={version} />}
    </details>
  );
}

function Attempts({ deliveryId, version }: { deliveryId: string; version: string }) {
  const api = useApi();
  const delivery = useLoad(() => api.deliveries.retrieve(deliveryId), [deliveryId, version]);
  const attempts = delivery.data?.attempts ?? [];
  return (
    <>
      <ErrorNote error={delivery.error} />
      <ol className="attempts" reversed>
        {[...attempts].reverse().map((a) => (
          <AttemptView key={a.id} attempt={a} />
        ))}
      </ol>
    </>
  );
}
