import { randomFillSync } from "node:crypto";

// A span id is made for every attempt, on the sender's hot path: random bytes are drawn from a
// pool refilled 1 KB at a time (one randomFillSync per 128 span ids), as ids.ts does.
const POOL_SIZE = 1024;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let offset = POOL_SIZE;

function hex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_SIZE) {
      randomFillSync(pool);
      offset = 0;
    }
    const id = pool.toString("hex", offset, offset + bytes);
    offset += bytes;
    // All zeros is the one invalid value (W3C Trace Context §3.2.2.3, §3.2.2.4).
    if (id !== "0".repeat(bytes * 2)) return id;
  }
}

/** A new span id: 8 random bytes as 16 lowercase hex digits, never all zeros. */
export const newSpanId = (): string => hex(8);

/** A new trace id: 16 random bytes as 32 lowercase hex digits, never all zeros. */
export const newTraceId = (): string => hex(16);
