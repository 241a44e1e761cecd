import type { Event } from "../event.ts";
import type { ObjectVersion, ObjectVersionStore } from "./inbox/inbox.ts";
import type { EventHandler } from "./options.ts";

export interface StaleGuardOptions {
  /** Called with each event skipped as stale. */
  onStale?: (event: Event<string, unknown>) => void;
  /** The sequence that orders events of one second; default: the event's numeric `sequence`. */
  sequence?: (event: Event<string, unknown>) => number | undefined;
}

/**
 * Wraps handlers so that an event about an object is skipped when a newer event about the same
 * object (same `data.object.id`; newer by `created`, then by sequence) was already applied.
 * When the delivery carries Hookline's `Hookline-Sequence: <key>:<n>` (an endpoint with
 * `ordering: "per_key"`), that decides instead: an event is stale once a higher n of its key
 * was applied, which holds even for events created in the same millisecond.
 * Senders deliver out of order on retries, so without this a late `customer.subscription.updated`
 * can overwrite the state a newer one set. Events of the same version all run. Pass the inbox,
 * which remembers the versions. Write such handlers to set the whole state from
 * `event.data.object`, not to apply a change.
 *
 * @example
 * ```ts
 * const latestOnly = createStaleEventGuard(inbox);
 * createWebhookHandler({
 *   secrets,
 *   inbox,
 *   on: {
 *     "customer.subscription.updated": latestOnly(async (event) => {
 *       await saveSubscription(event.data.object);
 *     }),
 *   },
 * });
 * ```
 */
export function createStaleEventGuard(store: ObjectVersionStore, options: StaleGuardOptions = {}) {
  if (typeof store?.advance !== "function") {
    throw new TypeError("createStaleEventGuard needs the inbox (or any ObjectVersionStore)");
  }
  return <TEvent extends Event<string, unknown>>(
    handler: EventHandler<TEvent>,
  ): EventHandler<TEvent> =>
    async (event, context) => {
      // A key's sequence is tracked apart from object versions: n and `created` never compare.
      const objectId = context.sequence
        ? `${SEQUENCE_PREFIX}${context.sequence.key}`
        : objectIdOf(event);
      const version = context.sequence
        ? { created: context.sequence.n, sequence: 0 }
        : versionOf(event, options);
      // Recorded before the run: if the handler then fails, its retry carries the same version
      // and still passes (equal versions run), while older events are skipped meanwhile.
      if (objectId !== undefined && version !== undefined) {
        if (!(await store.advance(objectId, version))) {
          options.onStale?.(event);
          return undefined;
        }
      }
      return await handler(event, context);
    };
}

/** Versions from `Hookline-Sequence` are kept under this prefix, apart from object ids. */
const SEQUENCE_PREFIX = "hookline-sequence:";

/** The object an event is about; `undefined` when it has no string id (then it always runs). */
export function objectIdOf(event: Event<string, unknown>): string | undefined {
  const id = (event.data?.object as { id?: unknown } | undefined)?.id;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** The version an event describes; `undefined` without a numeric `created`. Pure. */
export function versionOf(
  event: Event<string, unknown>,
  options: StaleGuardOptions = {},
): ObjectVersion | undefined {
  if (typeof event.created !== "number" || !Number.isFinite(event.created)) return undefined;
  const sequence = options.sequence
    ? options.sequence(event)
    : (event as { sequence?: unknown }).sequence;
  return {
    created: event.created,
    sequence: typeof sequence === "number" && Number.isFinite(sequence) ? sequence : 0,
  };
}
