import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/**
 * WAL pages past which the server's own connection checkpoints at commit anyway: the bound on
 * the WAL file (about 16 MB of 4 KB pages) should the background checkpoints fall behind.
 */
const BACKSTOP_PAGES = 4000;
/** Pause between two background checkpoints. */
const INTERVAL_MS = 50;

// Evaluated rather than loaded from a file, so the same text runs from src/ (tsx) and dist/.
// PASSIVE never waits for a writer or blocks one; it copies what no reader still needs. With
// synchronous=NORMAL it syncs the WAL before copying and the database file after, so the
// writer may restart the WAL only once both are on disk. A checkpoint with nothing new to copy
// does no I/O.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
db.pragma("synchronous = NORMAL");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy past the timeout, or the disk full: the next tick tries again, and the server's
    // connection still checkpoints past the backstop.
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});`;

export interface WalCheckpointer {
  /** Stops the worker and closes its connection; call before closing the server's. */
  close(): Promise<void>;
}

/**
 * Moves SQLite's WAL checkpoints off the event loop. By default SQLite checkpoints inside the
 * commit that takes the WAL past 1,000 pages, on the committing thread: it copies the pages
 * into the database file and syncs both files while every request, claim and outcome waits
 * (the main thread sat in uninterruptible disk waits during a backlog drain). Measured on
 * 20,000 claims and outcomes of one endpoint, a commit cost 657 µs on average with those
 * checkpoints and 301 µs without. Here a worker thread with its own connection checkpoints
 * every `INTERVAL_MS`; the server's connection keeps checkpointing at commit only past
 * `BACKSTOP_PAGES`. If the worker dies, the connection goes back to SQLite's default.
 */
export function startWalCheckpointer(db: Database.Database): WalCheckpointer {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      file: db.name,
      intervalMs: INTERVAL_MS,
    },
  });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const fallBack = () => {
    if (!closing && db.open) db.pragma("wal_autocheckpoint = 1000");
  };
  worker.on("error", fallBack);
  worker.on("exit", fallBack);
  return {
    async close() {
      closing = true;
      // Held until the worker closed its connection, so that the server's is the last to close
      // (the last connection to close checkpoints and removes the WAL file).
      worker.ref();
      worker.postMessage("close");
      await exited;
    },
  };
}
