import type { Event } from "../event.ts";
import { type List, type ListParams, type ListPromise, listPromise } from "./list.ts";
import { type Call, send, type TransportOptions } from "./transport.ts";
import type {
  BatchEventParams,
  BatchItemResult,
  CreateEventParams,
  RequestOptions,
  WebhookDelivery,
} from "./types.ts";

/** Options of `events.createMany`. */
export interface CreateManyOptions extends RequestOptions {
  /** Events per request: the server's limit, 1,000 by default (HOOKLINE_MAX_BATCH_EVENTS). */
  chunkSize?: number;
  /** Bytes of JSON per request at most: the server's limit, 1 MB by default. */
  maxChunkBytes?: number;
  /** Told after each request with how many events were answered so far, of how many. */
  onProgress?: (done: number, total: number) => void;
}

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
    /**
     * Sends many events, in requests of up to `chunkSize` events (and `maxChunkBytes`), one
     * after another. Answers one entry per event, in order: its event, or its error (`param`
     * `events[i]…` counts from the start of its request). A bad event refuses only itself.
     * Each request carries an Idempotency-Key (`<idempotencyKey>:<n>` for the n-th, or a
     * generated one), so a retry after a lost answer creates nothing twice.
     *
     * @example
     * const results = await hookline.events.createMany(invoices.map((i) => ({
     *   type: "invoice.paid", data: { object: i }, idempotency_key: `${i.id}-paid`,
     * })));
     * const refused = results.filter((r) => "error" in r);
     */
    createMany: async <TObject = Record<string, unknown>>(
      events: readonly BatchEventParams<TObject>[],
      options: CreateManyOptions = {},
    ): Promise<BatchItemResult<TObject>[]> => {
      const results: BatchItemResult<TObject>[] = [];
      for (const [n, chunk] of chunks(events, options).entries()) {
        const answer = await call<List<BatchItemResult<TObject>>>({
          method: "POST",
          path: "v1/events/batch",
          body: { events: chunk },
          retry: "always",
          create: {
            idempotencyKey:
              options.idempotencyKey === undefined ? undefined : `${options.idempotencyKey}:${n}`,
          },
        });
        results.push(...answer.data);
        options.onProgress?.(results.length, events.length);
      }
      return results;
    },
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

/** Consecutive slices within both limits; an event alone over the byte limit goes alone. */
function chunks<T>(events: readonly T[], options: CreateManyOptions): T[][] {
  const size = options.chunkSize ?? 1000;
  // Room for the envelope `{"events":[…]}` and the commas.
  const bytes = (options.maxChunkBytes ?? 1024 * 1024) - 16;
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const event of events) {
    const length = new TextEncoder().encode(JSON.stringify(event)).length + 1;
    if (current.length > 0 && (current.length >= size || used + length > bytes)) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(event);
    used += length;
  }
  if (current.length > 0) out.push(current);
  return out;
}
