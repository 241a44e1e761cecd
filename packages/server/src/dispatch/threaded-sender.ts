import { Worker } from "node:worker_threads";
import { type SendOutcome, type SendRequest, unsentFailure } from "./outcome.ts";
import type { Sender, SenderOptions } from "./send.ts";
import type { FromSender, ToSender } from "./send-worker.ts";

/**
 * The sender on a thread of its own. Signing, undici and the sockets cost about as much CPU as
 * everything else of a delivery together (the delivery benchmark's profile: 140 µs of 250 µs);
 * on their own thread they run on another core while the main thread serves the API, commits
 * and dispatches. Same contract as createSender: the dispatcher still decides what is sent,
 * when and how many at once; this only carries requests over and outcomes back, in batches.
 *
 * Options must be plain data (they are copied to the thread): no injected clock or resolver.
 */
export function createThreadedSender(
  options: Omit<SenderOptions, "now" | "resolve">,
): Sender & { ready(): Promise<boolean> } {
  const fromSource = import.meta.url.endsWith(".ts");
  const file = new URL(fromSource ? "./send-worker.ts" : "./send-worker.js", import.meta.url);
  const waiting = new Map<number, (outcome: SendOutcome) => void>();
  let nextId = 0;
  let queued: { id: number; request: SendRequest }[] = [];
  let closing: Promise<void> | undefined;
  let markReady: (loaded: boolean) => void = () => undefined;
  let loaded = false;
  let deathsBeforeLoad = 0;
  const ready = new Promise<boolean>((resolve) => {
    markReady = resolve;
  });
  /** Whether the current thread has not exited yet (close() then waits for its exit). */
  let running = false;
  let worker = start();

  function start(): Worker {
    running = true;
    // Run from source (tests, benchmarks), the thread needs tsx's loader, which threads do not
    // inherit from `node --import tsx`; built, it runs the emitted JavaScript.
    const thread = fromSource
      ? new Worker(
          `import("tsx/esm/api").then((tsx) => tsx.register()).then(() => import(${JSON.stringify(file.href)}))`,
          { eval: true, workerData: options },
        )
      : new Worker(file, { workerData: options });
    thread.on("message", (message: FromSender) => {
      if ("ready" in message) {
        loaded = true;
        markReady(true);
      }
      if ("outcomes" in message) {
        for (const { id, outcome } of message.outcomes) {
          waiting.get(id)?.(outcome);
          waiting.delete(id);
        }
      }
    });
    // A thread that dies takes its attempts with it: each is a failed, retryable attempt (the
    // receiver may have got it: at-least-once), and a new thread takes the next ones. `error`
    // is followed by `exit`: the first one counts, and only for the current thread (every
    // attempt waiting then was sent to it; later ones go to its successor).
    const lost = (why: string) => {
      if (thread !== worker) return;
      for (const [id, resolve] of waiting) {
        resolve(unsentFailure(`the sender thread ${why}`));
        waiting.delete(id);
      }
      // One that never loaded would fail the same way again: after a second such death, no new
      // thread, and ready() says so. Not after the first: a thread that dies on its first
      // request can have its `error` seen here before its `ready` message (the test of a dying
      // thread caught that on a loaded machine), and it must be replaced like any other.
      if (!loaded && ++deathsBeforeLoad > 1) markReady(false);
      else if (closing === undefined) worker = start();
    };
    thread.on("error", (error) => lost(`failed: ${String(error)}`));
    thread.on("exit", (code) => {
      if (thread === worker) running = false;
      if (closing === undefined && code !== 0) lost(`exited with code ${code}`);
    });
    return thread;
  }

  function flush(): void {
    const batch = queued;
    queued = [];
    worker.postMessage({ requests: batch } satisfies ToSender);
  }

  return {
    // The thread loads its modules first (half a second from source under tsx): a server waits
    // for it before dispatching, so its first attempts are not held back and then sent at once.
    // False when it could not load at all.
    ready: () => ready,
    send(request) {
      return new Promise<SendOutcome>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        // Requests started in one synchronous run (a dispatcher drain) go over as one message.
        if (queued.length === 0) queueMicrotask(flush);
        queued.push({ id, request: { ...request, body: ownBytes(request.body) } });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (!running) return resolve();
        worker.once("exit", () => resolve());
        worker.postMessage({ close: true } satisfies ToSender);
      });
      return closing;
    },
  };
}

/**
 * The body on an ArrayBuffer of its own size. A structured clone copies a view's whole buffer,
 * and a payload made by `Buffer.from(string)` is a slice of Node's 8 KB pool: posting it cost
 * twice as much as posting its own bytes (about 13 against 6 µs a request, measured).
 */
function ownBytes(body: Buffer): Buffer {
  // What is not bytes goes over as it is, for the thread to fail on and report.
  if (!ArrayBuffer.isView(body)) return body;
  if (body.byteOffset === 0 && body.buffer.byteLength === body.length) return body;
  const own = Buffer.allocUnsafeSlow(body.length); // never from the pool
  body.copy(own);
  return own;
}
