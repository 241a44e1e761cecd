import { type FileHandle, open } from "node:fs/promises";

/**
 * Makes WAL commits durable after the fact: `sync()` resolves once every frame written to the
 * WAL file before the call is on disk. Commits run with synchronous=NORMAL, which writes the WAL
 * but does not sync it, and whoever needs a power-loss guarantee awaits a sync: one fdatasync on
 * libuv's thread pool serves every commit made before it started, so concurrent receipts share
 * it, and the event loop goes on parsing and verifying while the disk works. (A FULL commit
 * blocks the loop for the whole fsync: SQLite ack-first ran at 0.35x the constructEvent handler
 * with it, 0.74x without any sync, in bench/handler.ts.)
 *
 * Each call starts its own fdatasync at once, even while another runs: the running one may
 * predate the caller's frames, and waiting for it to end before starting would make a commit
 * wait for one and a half syncs on average instead of one. The caller bounds how many run at
 * once (group-commit.ts).
 */
export function createWalSync(walPath: string): { sync(): Promise<void>; close(): Promise<void> } {
  let handle: Promise<FileHandle> | undefined;
  const running = new Set<Promise<unknown>>();

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
      const current = datasync();
      const settled = current.catch(() => {});
      running.add(settled);
      void settled.then(() => running.delete(settled));
      return current;
    },
    async close() {
      await Promise.all(running);
      await (await handle?.catch(() => undefined))?.close();
      handle = undefined;
    },
  };
}
