import { type FileHandle, open } from "node:fs/promises";

export interface WalSync {
  /** Resolves once every WAL frame written before the call is on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * fdatasync of the WAL file on libuv's thread pool instead of inside the commit. A commit with
 * synchronous=FULL blocks the event loop for the whole fsync (0.4 to 0.7 ms here); committing
 * with NORMAL and syncing the WAL file afterwards gives the same guarantee (the commit's frames
 * are on disk before anyone is told) while the loop goes on serving requests and sending the
 * deliveries it just committed.
 *
 * Calls coalesce: while one sync runs, later callers share one more that starts after it, since
 * the running one may have begun before their frames were written.
 */
export function walSync(walPath: string): WalSync {
  let file: Promise<FileHandle> | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  async function once(): Promise<void> {
    file ??= open(walPath, "r+");
    try {
      await (await file).datasync();
    } catch (error) {
      file = undefined; // reopened by the next sync (the open itself may have failed)
      throw error;
    }
  }

  function sync(): Promise<void> {
    if (running === undefined) {
      running = once().finally(() => {
        running = undefined;
      });
      return running;
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return sync();
      });
    return next;
  }

  return {
    sync,
    async close() {
      await running?.catch(() => undefined);
      await next?.catch(() => undefined);
      const handle = await file?.catch(() => undefined);
      file = undefined;
      await handle?.close();
    },
  };
}
