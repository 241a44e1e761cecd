/**
 * What the live stream (`GET /v1/stream`) carries: new events and the outcome of each attempt,
 * for the dashboard to show without reloading. Messages are fire-and-forget: a subscriber that
 * was not connected, or fell behind, reloads from the API instead (nothing is replayed).
 */
export const LiveMessageType = {
  eventCreated: "event.created",
  deliveryAttempted: "delivery.attempted",
} as const;
export type LiveMessageType = (typeof LiveMessageType)[keyof typeof LiveMessageType];

export interface LiveMessage {
  type: LiveMessageType;
  tenantId: string;
  /** The JSON sent as the message's data: public field names, times in unix seconds. */
  data: Record<string, unknown>;
}

export type LiveSubscriber = (message: LiveMessage) => void;

export interface LiveHub {
  /** Called with every later message of `tenantId`; returns the unsubscribe function. */
  subscribe(tenantId: string, subscriber: LiveSubscriber): () => void;
  /** Queues a message; constant work, so it may be called on the delivery path. */
  publish(message: LiveMessage): void;
  subscriberCount(): number;
}

/**
 * Messages published in one turn of the event loop go out together on the next one
 * (setImmediate), so publishing never writes to a socket on the caller's path. When nobody
 * listens, nothing is queued at all.
 */
export function createLiveHub(): LiveHub {
  const subscribers = new Map<LiveSubscriber, string>();
  let queue: LiveMessage[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (const message of batch) {
      for (const [subscriber, tenantId] of subscribers) {
        if (tenantId !== message.tenantId) continue;
        try {
          subscriber(message);
        } catch {
          // A broken connection must not keep the others from their messages.
          subscribers.delete(subscriber);
        }
      }
    }
  }

  return {
    subscribe(tenantId, subscriber) {
      subscribers.set(subscriber, tenantId);
      return () => void subscribers.delete(subscriber);
    },
    publish(message) {
      if (subscribers.size === 0) return;
      queue.push(message);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    subscriberCount: () => subscribers.size,
  };
}
