import type { IncomingMessage } from "node:http";

/**
 * A client that sends more than it may reads no answer if the server closes while it is still
 * writing: its kernel gets a reset and reports EPIPE or ECONNRESET instead of the 413. So the
 * rest of the body is read and dropped before the answer, up to this many bytes; past it, the
 * upload is cut (a client pushing that much after a refusal is not waiting for one). The
 * server's requestTimeout bounds a slow one.
 */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads and discards what is left of a request body; resolves when it ended, the socket
 * closed, or `maxBytes` more were read (then the rest stays unread and the socket is closed
 * after the answer, as before).
 */
export function drainRequest(raw: IncomingMessage, maxBytes = DRAIN_LIMIT_BYTES): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolveDrain) => {
    let read = 0;
    const finish = () => {
      raw.off("data", onData);
      raw.off("end", finish);
      raw.off("close", finish);
      raw.off("error", finish);
      resolveDrain();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) {
        raw.pause();
        finish();
      }
    };
    raw.on("data", onData);
    raw.once("end", finish);
    raw.once("close", finish);
    raw.once("error", finish);
    raw.resume();
  });
}
