import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/**
 * WAL pages after which the inbox's own connection checkpoints at commit anyway: the bound on
 * the WAL file (about 16 MB of 4 KB pages) should the background checkpoints fall behind. Under
 * a sustained burst that is where the WAL restarts from its beginning; the background ones have
 * copied nearly every page by then, so that checkpoint only syncs.
 */
const BACKSTOP_PAGES = 4000;
/** The least time between two background checkpoints while commits keep coming. */
const MIN_INTERVAL_MS = 50;
/**
 * A checkpoint is asked for after this many commits, or `IDLE_MS` after the first one it has not
 * covered: each costs two syncs (the WAL, then the database file), so a receiver that gets an
 * event now and then should not pay them per commit, as SQLite's own threshold never made it.
 */
const COMMITS_PER_CHECKPOINT = 32;
const IDLE_MS = 1000;

// The worker's code, evaluated rather than loaded from a file: the same text runs from src/ (tsx)
// and from dist/, and it loads the driver the inbox itself resolved.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
// NORMAL, as the inbox's own connection: the WAL is synced before pages are copied, the database
// file after, and only then may a writer restart the WAL.
db.pragma("synchronous = NORMAL");
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage("done");
  } catch (error) {
    parentPort.postMessage(String(error));
  }
});`;

export interface Checkpointer {
  /** Tells it that a transaction committed: a checkpoint follows soon, at most one at a time. */
  committed(): void;
  /** Stops the worker and closes its connection; call before closing the inbox's. */
  close(): Promise<void>;
}

/**
 * Moves SQLite's WAL checkpoints off the event loop. SQLite checkpoints at commit, in the
 * committing thread: every 1,000 pages a commit copied them into the database file and synced
 * both files, stalling every request behind it (with synchronous=NORMAL the sync of the
 * database file is the long part). Here a worker thread with its own connection runs PASSIVE
 * checkpoints after commits, which never block a writer, and the inbox's connection keeps
 * checkpointing at commit only past `BACKSTOP_PAGES`. If the worker fails, the connection goes
 * back to SQLite's default of checkpointing at commit.
 */
export function createCheckpointer(db: Database.Database): Checkpointer {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      file: db.name,
    },
  });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);

  let running = false;
  let wanted = false;
  let failed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let commits = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

  const giveUp = () => {
    if (failed) return;
    failed = true;
    if (db.open) db.pragma("wal_autocheckpoint = 1000");
  };
  worker.on("error", giveUp);
  worker.on("exit", giveUp);

  const start = () => {
    timer = undefined;
    if (failed || running || !wanted) return;
    wanted = false;
    running = true;
    commits = 0;
    if (idle !== undefined) clearTimeout(idle);
    idle = undefined;
    worker.postMessage("checkpoint");
  };
  const ask = () => {
    wanted = true;
    if (!running && timer === undefined) start();
  };
  // A checkpoint that failed (the file busy past the timeout) is tried again after the next
  // commit, like one that succeeded.
  worker.on("message", () => {
    running = false;
    if (wanted && timer === undefined) {
      timer = setTimeout(start, MIN_INTERVAL_MS);
      timer.unref?.();
    }
  });

  return {
    committed() {
      commits += 1;
      if (commits >= COMMITS_PER_CHECKPOINT) ask();
      else if (idle === undefined) {
        idle = setTimeout(ask, IDLE_MS);
        idle.unref?.();
      }
    },
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      if (idle !== undefined) clearTimeout(idle);
      failed = true; // no fallback to restore on a connection about to close
      // Held by the worker until it closed its connection: unref'd, a process with nothing else
      // to do would exit before, and the inbox's connection would not be the last to close.
      worker.ref();
      worker.postMessage("close");
      await exited;
    },
  };
}
