import type { AvailabilityObserver } from "../store/availability.ts";
import type { Logger } from "./logger.ts";

/**
 * One line when the store goes away and one when it is back, whatever the number of calls
 * refused in between (they are counted in hookline_store_errors_total instead).
 */
export function logStoreState(log: Logger): AvailabilityObserver {
  return {
    changed(state, downMs, cause) {
      if (state === "up") {
        log.info({ down_ms: Math.round(downMs) }, "store: the database is back; writes resume");
        return;
      }
      log.error(
        { store: state, err: cause },
        state === "disk_full"
          ? "store: the database's disk is full; writes answer 503 disk_full until space returns"
          : "store: the database cannot be reached; writes answer 503 database_unavailable until it is back",
      );
    },
  };
}
