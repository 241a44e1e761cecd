// The sender's thread (threaded-sender.ts): runs createSender on requests posted in batches and
// posts the outcomes back in batches, one message per turn of each event loop.
import { parentPort, workerData } from "node:worker_threads";
import type { SendOutcome, SendRequest } from "./outcome.ts";
import { createSender, type SenderOptions } from "./send.ts";

export type ToSender = { close: true } | { requests: { id: number; request: SendRequest }[] };
export type FromSender =
  | { outcomes: { id: number; outcome: SendOutcome }[] }
  | { ready: true }
  | { closed: true };

const port = parentPort!;
const sender = createSender(workerData as SenderOptions);
let outcomes: { id: number; outcome: SendOutcome }[] = [];

function finished(id: number, outcome: SendOutcome): void {
  if (outcomes.length === 0) setImmediate(flush);
  outcomes.push({ id, outcome });
}

function flush(): void {
  const batch = outcomes;
  outcomes = [];
  port.postMessage({ outcomes: batch } satisfies FromSender);
}

port.on("message", (message: ToSender) => {
  if ("close" in message) {
    void sender.close().then(() => {
      if (outcomes.length > 0) flush();
      port.postMessage({ closed: true } satisfies FromSender);
      port.close();
    });
    return;
  }
  for (const { id, request } of message.requests) {
    // Structured clone turns the Buffer into a plain Uint8Array: view it as a Buffer again.
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.length);
    sender
      .send({ ...request, body })
      .catch(
        (error: unknown): SendOutcome => ({
          kind: "failed",
          retryable: true,
          error: "unknown",
          message: `the sender threw: ${String(error)}`,
          requestHeaders: {},
          durationMs: 0,
        }),
      )
      .then((outcome) => finished(id, outcome));
  }
});
port.postMessage({ ready: true } satisfies FromSender);
