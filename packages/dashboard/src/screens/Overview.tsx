import { useState } from "react";
import { useApi } from "../api/ApiContext.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { useLiveReload } from "../live/useLive.ts";
import { useLoad } from "../useLoad.ts";
import { FailingEndpoints } from "./FailingEndpoints.tsx";
import { OutboxFailures } from "./OutboxFailures.tsx";
import { OverviewCharts } from "./OverviewCharts.tsx";
import { Totals } from "./Totals.tsx";
import { WindowPicker } from "./WindowPicker.tsx";

/** Stats are a heavier read than a list: live updates refresh them at most this often. */
const STATS_REFRESH_MS = 5000;

export function Overview() {
  const api = useApi();
  const [window, setWindow] = useState<"1h" | "24h">("1h");
  const stats = useLoad(() => api.stats(window), [window]);
  useLiveReload(() => true, stats.reload, STATS_REFRESH_MS);

  return (
    <>
      <div className="title-row">
        <h1>Overview</h1>
        <WindowPicker value={window} onChange={setWindow} />
      </div>
      <ErrorNote error={stats.error} />
      {stats.data && <Totals stats={stats.data} />}
      <FailingEndpoints />
      <OutboxFailures />
      {stats.data && <OverviewCharts stats={stats.data} />}
    </>
  );
}
