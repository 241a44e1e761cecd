import { type List, type ListParams, type ListPromise, listPromise } from "./list.ts";
import { type Call, send, type TransportOptions } from "./transport.ts";
import type { DeliveryStatus, WebhookDelivery } from "./types.ts";

export interface ListDeliveriesParams extends ListParams {
  /** An event id (`evt_…`). */
  event?: string;
  /** An endpoint id (`we_…`). */
  endpoint?: string;
  status?: DeliveryStatus;
}

const path = (id: string) => `v1/deliveries/${encodeURIComponent(id)}`;

/** `/v1/deliveries`: one event owed to one endpoint, with its attempts. */
export function deliveriesApi(transport: TransportOptions) {
  const call = <T>(c: Call) => send<T>(transport, c);
  return {
    /** The delivery with every attempt: status code, response, duration, error. */
    retrieve: (id: string) =>
      call<WebhookDelivery>({ method: "GET", path: path(id), retry: "always" }),
    /** Newest first; `for await` walks every page. */
    list: (params: ListDeliveriesParams = {}): ListPromise<WebhookDelivery> =>
      listPromise(params, (query) =>
        call<List<WebhookDelivery>>({
          method: "GET",
          path: "v1/deliveries",
          query: { ...query },
          retry: "always",
        }),
      ),
    /** Makes the delivery due now (a 409 while an attempt is in flight). */
    retry: (id: string) =>
      call<WebhookDelivery>({
        method: "POST",
        path: `${path(id)}/retry`,
        body: {},
        retry: "unprocessed",
      }),
  };
}
