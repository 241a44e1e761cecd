// The inbox's words. event: one webhook event, keyed by its id. claim: taking an event to run
// its handler, under a lease. lease: how long a claim is exclusive; an expired lease (a crashed
// process) lets the next claim take the event over. token: a random value naming one claim, so a
// holder whose lease was taken over cannot complete or fail the event any more.

/** What `claim` answers. */
export const ClaimStatus = {
  /** The caller holds the event now (first delivery, a retry after a failure, or a takeover). */
  new: "new",
  /** The event was handled already: acknowledge it, run nothing. */
  duplicate: "duplicate",
  /** Someone holds the event under a live lease, or a failed event waits for its retry time. */
  inProgress: "in_progress",
} as const;

export type ClaimStatus = (typeof ClaimStatus)[keyof typeof ClaimStatus];

/** Where an event stands in the inbox. */
export const InboxState = {
  processing: "processing",
  completed: "completed",
  failed: "failed",
} as const;

export type InboxState = (typeof InboxState)[keyof typeof InboxState];

/** An event as the inbox keeps it: the raw body, so ack-first can run it after a restart. */
export interface InboxEvent {
  id: string;
  type: string;
  payload: string;
}

export type Claim =
  | { status: typeof ClaimStatus.new; attempt: number }
  | { status: typeof ClaimStatus.duplicate }
  /** `retryAt`: unix ms when the event may be claimed again (lease end or retry time). */
  | { status: typeof ClaimStatus.inProgress; retryAt: number };

export interface ClaimOptions {
  /** Unix ms. */
  now: number;
  leaseMs: number;
  token: string;
  /**
   * Whether the recorded event must survive a power loss before `claim` resolves (default true):
   * ack-first answers 202 on it. Inline mode answers only after the handler ran, so it passes
   * false and an inbox may resolve at commit.
   */
  durable?: boolean;
}

/** An event taken by `claimDue`, held under `token`. */
export interface ClaimedEvent extends InboxEvent {
  token: string;
  attempt: number;
}

export interface ClaimDueOptions extends ClaimOptions {
  /** Events already tried this many times are left alone (they wait for a redelivery). */
  maxAttempts: number;
  limit: number;
}

/** Which version of an object an event describes: its `created`, then its sequence. */
export interface ObjectVersion {
  created: number;
  sequence: number;
}

/** Remembers the newest version applied per object id; used by the stale-event guard. */
export interface ObjectVersionStore {
  /**
   * Records `version` for `objectId` unless a newer one is recorded, atomically. Returns false
   * when the event is stale (an older version than one already applied).
   */
  advance(objectId: string, version: ObjectVersion): Promise<boolean>;
}

/**
 * Where received events are kept so that each runs its handler once. Every method is atomic
 * under concurrency: two claims of one event at the same instant give one `new`.
 */
export interface Inbox extends ObjectVersionStore {
  /** Records the event if unseen and takes it, or says why it cannot be taken. */
  claim(event: InboxEvent, options: ClaimOptions): Promise<Claim>;
  /** Marks the event handled. False when `token` no longer holds it (its lease was taken over). */
  complete(id: string, token: string, options: { now: number }): Promise<boolean>;
  /** Releases the event after a failed run; it may be claimed again from `retryAt` (unix ms). */
  fail(
    id: string,
    token: string,
    options: { now: number; retryAt: number; error: string },
  ): Promise<boolean>;
  /** Takes events that are due: failed ones at their retry time, and expired leases. */
  claimDue(options: ClaimDueOptions): Promise<ClaimedEvent[]>;
  /** Releases what the inbox opened itself (connections it created). */
  close(): Promise<void>;
}
