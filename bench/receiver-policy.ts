import { createHash } from "node:crypto";

/**
 * Which requests the receiver answers 500 on purpose: the first `attempts` attempts of a `share`
 * (0–1) of the events, so that later attempts of those events succeed. An event is chosen by a
 * hash of its id, not by a random draw, so a rerun or a second sender (the loop) sees the same
 * rule: the share is exact in expectation and reproducible per id.
 */
export interface FailurePolicy {
  attempts: number;
  share: number;
}

/** True for about `share` of all ids: the first 32 bits of the id's SHA-256, as a fraction. */
export function chosen(id: string, share: number): boolean {
  return createHash("sha256").update(id).digest().readUInt32BE(0) < share * 2 ** 32;
}

/**
 * Counts the attempts of each delivery (endpoint and event id) while a policy is set, and says
 * whether this one is refused. Without a policy nothing is counted (the common case stays free)
 * and every request is attempt 1 as far as the receiver knows.
 */
export function createRefusals() {
  let policy: FailurePolicy | undefined;
  const seen = new Map<string, number>();
  return {
    set(next: FailurePolicy | undefined): void {
      policy = next;
      seen.clear();
    },
    /** The ordinal of this request among its delivery's, and whether to answer 500. */
    attempt(key: string, id: string): { attempt: number; refuse: boolean } {
      if (policy === undefined) return { attempt: 1, refuse: false };
      const attempt = (seen.get(key) ?? 0) + 1;
      seen.set(key, attempt);
      return { attempt, refuse: attempt <= policy.attempts && chosen(id, policy.share) };
    },
  };
}
