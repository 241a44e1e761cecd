import type { Config } from "../config/config.ts";
import type { CommitQueue } from "../ingest/commit-queue.ts";
import type { Store } from "../store/types.ts";

/** What the HTTP layer needs from the rest of the process. */
export interface AppContext {
  store: Store;
  /** Group commit for new events. */
  commits: CommitQueue;
  config: Config;
  /** Unix milliseconds. */
  clock: () => number;
  /** Tells the dispatcher that deliveries are due now. */
  wake: () => void;
  /** SHA-256 of the root API key. */
  rootKeyHash: Buffer;
  /** For /readyz. */
  dispatcherRunning: () => boolean;
}

/** The default tenant; tenant-scoped keys arrive with "Security and tenancy". */
export const DEFAULT_TENANT = "tn_default";
