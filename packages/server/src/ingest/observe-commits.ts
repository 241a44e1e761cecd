import type { EventRow } from "../store/types.ts";
import type { CommitQueue } from "./commit-queue.ts";

/** Told of each event once it is committed: accepted, with how many deliveries it owes. */
export type AcceptedListener = (event: EventRow, deliveries: number) => void;

/**
 * The commit queue, telling `listeners` of every event it commits (not of idempotent replays:
 * they accept nothing new). Listeners run after the commit, before the API answers; they do
 * constant work and never throw.
 */
export function observeCommits(
  queue: CommitQueue,
  listeners: readonly AcceptedListener[],
): CommitQueue {
  return {
    async commit(item) {
      const committed = await queue.commit(item);
      const { result } = committed;
      if (result.kind === "created") {
        for (const listener of listeners) listener(result.event, result.deliveries);
      }
      return committed;
    },
  };
}
