import type { CreateEventResult, EventRow } from "../store/types.ts";
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
  const tell = (result: CreateEventResult) => {
    if (result.kind !== "created") return;
    for (const listener of listeners) listener(result.event, result.deliveries);
  };
  return {
    async commit(item) {
      const committed = await queue.commit(item);
      tell(committed.result);
      return committed;
    },
    async commitMany(items) {
      const committed = await queue.commitMany(items);
      for (const result of committed.results) tell(result);
      return committed;
    },
  };
}
