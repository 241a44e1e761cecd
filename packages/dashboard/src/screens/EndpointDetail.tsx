import { useApi } from "../api/ApiContext.ts";
import { HealthBadge } from "../components/Badges.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { useLiveReload } from "../live/useLive.ts";
import { useLoad } from "../useLoad.ts";
import { DeliveryList } from "./DeliveryList.tsx";
import { EndpointSettings } from "./EndpointSettings.tsx";
import { LadderPanel } from "./LadderPanel.tsx";
import { RecoverPanel } from "./RecoverPanel.tsx";
import { SecretPanel } from "./SecretPanel.tsx";
import { TestSendPanel } from "./TestSendPanel.tsx";

export function EndpointDetail({ id }: { id: string }) {
  const api = useApi();
  const endpoint = useLoad(() => api.endpoints.retrieve(id), [id]);
  useLiveReload((m) => m.type === "delivery.attempted" && m.data.endpoint === id, endpoint.reload);
  const e = endpoint.data;

  return (
    <>
      <div className="title-row">
        <h1 className="url">{e?.url ?? id}</h1>
        {e && <HealthBadge endpoint={e} />}
      </div>
      <ErrorNote error={endpoint.error} />
      {e && (
        <div className="grid">
          <EndpointSettings endpoint={e} onChanged={endpoint.reload} />
          <LadderPanel endpoint={e} />
          <SecretPanel endpoint={e} onRotated={endpoint.reload} />
          <RecoverPanel endpoint={e} />
          <TestSendPanel endpoint={e} />
        </div>
      )}
      <DeliveryList endpointId={id} />
    </>
  );
}
