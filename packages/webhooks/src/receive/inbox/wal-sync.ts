import { type FileHandle, open } from "node:fs/promises";

/**
 * Makes WAL commits durable after the fact: `sync()` resolves once every frame written to the
 * WAL file before the call is on disk. Commits run with synchronous=NORMAL, which writes the WAL
 * but does not sync it, and whoever needs a power-loss guarantee awaits a sync: one fdatasync on
 * libuv's thread pool serves every commit made before it started, so concurrent receipts share
 * it, and the event loop goes on parsing and verifying while the disk works. (A FULL commit
 * blocks the loop for the whole fsync: SQLite ack-first ran at 0.35x the constructEvent handler
 * with it, 0.74x without any sync, in bench/handler.ts.)
 */
export function createWalSync(walPath: string): { sync(): Promise<void>; close(): Promise<void> } {
  let handle: Promise<FileHandle> | undefined;
  let inFlight: Promise<void> | undefined;
  // A sync asked for while one runs must start after it: the running one may predate the frames.
  let queued: Promise<void> | undefined;

  const datasync = async () => {
    handle ??= open(walPath, "r+");
    try {
      await (await handle).datasync();
    } catch (error) {
      handle = undefined;
      throw error;
    }
  };

  return {
    sync() {
      queued ??= (inFlight ?? Promise.resolve())
        .catch(() => {})
        .then(() => {
          queued = undefined;
          const current = datasync().finally(() => {
            if (inFlight === current) inFlight = undefined;
          });
          inFlight = current;
          return current;
        });
      return queued;
    },
    async close() {
      await queued?.catch(() => {});
      await inFlight?.catch(() => {});
      await (await handle?.catch(() => undefined))?.close();
      handle = undefined;
    },
  };
}
