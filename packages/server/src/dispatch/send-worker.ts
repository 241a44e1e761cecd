// The sender's thread (threaded-sender.ts): runs createSender on requests posted in batches and
// posts the outcomes back in batches, one message per turn of each event loop.
import { parentPort, workerData } from "node:worker_threads";
import { type SendOutcome, type SendRequest, unsentFailure } from "./outcome.ts";
import { createSender, type SenderOptions } from "./send.ts";

export type ToSender = { close: true } | { requests: { id: number; request: SendRequest }[] };
export type FromSender = { outcomes: { id: number; outcome: SendOutcome }[] } | { ready: true };

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
    // Closing the port lets the thread exit, which is what the main thread waits for.
    void sender.close().then(() => {
      if (outcomes.length > 0) flush();
      port.close();
    });
    return;
  }
  for (const { id, request } of message.requests) {
    // Structured clone turns the Buffer into a plain Uint8Array: view it as a Buffer again.
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.length);
    sender
      .send({ ...request, body })
      .catch((error: unknown) => unsentFailure(`the sender threw: ${String(error)}`))
      .then((outcome) => finished(id, outcome));
  }
});
port.postMessage({ ready: true } satisfies FromSender);
