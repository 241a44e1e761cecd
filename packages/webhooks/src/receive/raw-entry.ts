import type { Receive } from "./receive.ts";

// The Node adapters reach a handler's `Receive` through here rather than through a property on
// the handler, so the public `WebhookHandler` type stays the web-standard function it documents.
// A handler the application wrapped in its own function has no entry: it gets the web path.
const entries = new WeakMap<object, Receive>();

export function setRawEntry(handler: object, receive: Receive): void {
  entries.set(handler, receive);
}

/** The handler's `Receive`, when `handler` is one `createWebhookHandler` made. */
export function rawEntryOf(handler: object): Receive | undefined {
  return entries.get(handler);
}
