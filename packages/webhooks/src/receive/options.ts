import type { Event } from "../event.ts";
import type { PaymentEvents } from "../events/catalog.ts";
import type { VerifyScheme } from "../options.ts";
import type { Inbox } from "./inbox/inbox.ts";
import type { DeliverySequence } from "./sequence.ts";

/** Maps each event type to the type of its `data.object`. */
export type EventMap = object;

/** What a handler is told besides the event. */
export interface EventContext {
  /** 1 on the first run of this event, 2 on its first retry, and so on. */
  attempt: number;
  /**
   * The delivery's `Hookline-Sequence` when the request carried one (an endpoint with
   * `ordering: "per_key"`). Ack-first runs retried from the inbox have none.
   */
  sequence?: DeliverySequence;
}

export type EventHandler<TEvent extends Event<string, unknown> = Event> = (
  event: TEvent,
  context: EventContext,
) => unknown;

/** One optional handler per event type, each receiving its typed event. */
export type EventHandlers<TEvents extends EventMap> = {
  [K in keyof TEvents & string]?: EventHandler<Event<K, TEvents[K]>>;
};

/** How the response relates to the handler run. */
export const HandlerMode = {
  /** Run the handler, then answer: 2xx when it succeeded, 5xx (the sender retries) when not. */
  inline: "inline",
  /** Answer 2xx once the event is in the inbox, then run the handler with its own retries. */
  ackFirst: "ack-first",
} as const;

export type HandlerMode = (typeof HandlerMode)[keyof typeof HandlerMode];

/** Where something went wrong, for `onError`. */
export interface ErrorContext {
  stage: "verify" | "inbox" | "handler";
  event?: Event;
  attempt?: number;
  /** In ack-first mode: no retry follows (the attempts are used up). */
  final?: boolean;
}

export interface WebhookHandlerOptions<TEvents extends EventMap = PaymentEvents> {
  /** The endpoint's signing secret, or several (rotation, test and live): any match passes. */
  secrets: string | readonly string[];
  /** Default `auto`. */
  scheme?: VerifyScheme;
  /** Default 300. */
  toleranceSeconds?: number;
  /** Default: an in-memory inbox (one process, forgotten on restart). */
  inbox?: Inbox;
  /** Default `inline`. */
  mode?: HandlerMode;
  /** The handler per event type. Types without one are acknowledged and passed to `onUnhandled`. */
  on: NoInfer<EventHandlers<TEvents>>;
  /** Called for refused requests, inbox failures and handler failures. Default: logs them. */
  onError?: (error: unknown, context: ErrorContext) => void;
  /** Called for a verified event whose type has no handler. Default: logs it once per type. */
  onUnhandled?: (event: Event) => void;
  /**
   * How long one run holds its event, in ms (default 5 minutes). Keep it above your slowest
   * handler: after it, a redelivery or another node may run the event again.
   */
  leaseMs?: number;
  /** Ack-first retries: default 8 attempts, waiting 1 s, 2 s, 4 s… up to 5 minutes. */
  retry?: { maxAttempts?: number; delayMs?: (attempt: number) => number };
  /** The clock in unix ms. For tests. */
  now?: () => number;
}
