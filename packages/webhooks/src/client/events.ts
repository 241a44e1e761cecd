import type { Event } from "../event.ts";
import { type List, type ListParams, type ListPromise, listPromise } from "./list.ts";
import { type Call, send, type TransportOptions } from "./transport.ts";
import type { CreateEventParams, RequestOptions, WebhookDelivery } from "./types.ts";

export interface ListEventsParams extends ListParams {
  /** An exact type, or a prefix such as `"invoice.*"`. */
  type?: string;
  /** Unix seconds. */
  "created[gte]"?: number;
  "created[lte]"?: number;
  /** `false`: some delivery failed or is being retried. */
  delivery_success?: boolean;
}

const path = (id: string) => `v1/events/${encodeURIComponent(id)}`;

/** `/v1/events`: what happened, delivered to every subscribed endpoint. */
export function eventsApi(transport: TransportOptions) {
  const call = <T>(c: Call) => send<T>(transport, c);
  return {
    /** Sends an event: stored, then delivered to every enabled endpoint subscribed to its type. */
    create: <TObject = Record<string, unknown>>(
      params: CreateEventParams<TObject>,
      options: RequestOptions = {},
    ) =>
      call<Event<string, TObject>>({
        method: "POST",
        path: "v1/events",
        body: params,
        retry: "always",
        create: { idempotencyKey: options.idempotencyKey },
      }),
    retrieve: (id: string) => call<Event>({ method: "GET", path: path(id), retry: "always" }),
    /** Newest first; `for await` walks every page. */
    list: (params: ListEventsParams = {}): ListPromise<Event> =>
      listPromise(params, (query) =>
        call<List<Event>>({
          method: "GET",
          path: "v1/events",
          query: { ...query },
          retry: "always",
        }),
      ),
    /** Sends the event again: to every endpoint it went to, or to `endpoint` only. */
    retry: (id: string, params: { endpoint?: string } = {}) =>
      call<List<WebhookDelivery>>({
        method: "POST",
        path: `${path(id)}/retry`,
        body: params,
        retry: "unprocessed",
      }),
  };
}
