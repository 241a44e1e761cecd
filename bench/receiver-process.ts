/**
 * The benchmark's webhook receiver, run as a child process so that it never shares an event loop
 * with the driver or with Hookline. One node:http server per endpoint on 127.0.0.1 (port 0, so
 * several endpoints are several origins, as they are in production), each verifying every request
 * with its own secret through `verify` from @hookline/webhooks and answering 200, or 400 when the
 * signature does not verify (counted: a benchmark of rejected requests measures nothing).
 *
 * Start: the parent sends `{ type: "start", secrets, hang? }`; the child answers
 * `{ type: "ready", ports }`. Receipts go back in batches: `{ type: "receipts", endpoints, ids,
 * times, failures }`, where a time is `process.hrtime.bigint()` in nanoseconds as a number
 * (CLOCK_MONOTONIC: the same clock in every process on the machine, so the parent can subtract
 * its own hrtime readings). `hang: true` accepts requests and never answers (a stalled receiver).
 *
 * `{ type: "policy", fail? }` sets or clears a failure policy (bench/receiver-policy.ts): while
 * set, chosen requests are answered 500 and counted in `refused`, and each receipt carries the
 * ordinal of the attempt that got through. The child answers `{ type: "policy" }` once the
 * policy holds, so the parent can start sending knowing every request sees it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "../packages/webhooks/src/index.ts";
import { createRefusals, type FailurePolicy } from "./receiver-policy.ts";

export interface StartMessage {
  type: "start";
  secrets: string[];
  hang?: boolean;
}
export interface PolicyMessage {
  type: "policy";
  fail?: FailurePolicy;
}
export type ReceiverMessage =
  | { type: "ready"; ports: number[] }
  | { type: "policy" }
  | {
      type: "receipts";
      endpoints: number[];
      ids: string[];
      times: number[];
      /** The ordinal of the attempt each receipt was (1 while no policy is set). */
      attempts: number[];
      /** Requests answered 500 on purpose since the last message. */
      refused: number;
      failures: number;
      firstFailure?: string;
    };

const FLUSH_MS = 20;
const FLUSH_COUNT = 2000;

let endpoints: number[] = [];
let ids: string[] = [];
let times: number[] = [];
let attempts: number[] = [];
let refused = 0;
let failures = 0;
let firstFailure: string | undefined;
let flushScheduled = false;
const servers: Server[] = [];
const hanging: ServerResponse[] = [];
const refusals = createRefusals();

function send(message: ReceiverMessage): void {
  process.send?.(message);
}

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setTimeout(() => {
    flushScheduled = false;
    flush();
  }, FLUSH_MS);
}

function flush(): void {
  if (ids.length === 0 && failures === 0 && refused === 0) return;
  send({
    type: "receipts",
    endpoints,
    ids,
    times,
    attempts,
    refused,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  });
  endpoints = [];
  ids = [];
  times = [];
  attempts = [];
  refused = 0;
  failures = 0;
  firstFailure = undefined;
}

function record(endpoint: number, id: string, time: number, attempt: number): void {
  endpoints.push(endpoint);
  ids.push(id);
  times.push(time);
  attempts.push(attempt);
  if (ids.length >= FLUSH_COUNT) flush();
  else scheduleFlush();
}

function handler(endpoint: number, secret: string, hang: boolean) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (hang) {
      hanging.push(res);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      // Receipt: the whole body is here (a signature can only be checked over all of it).
      const time = Number(process.hrtime.bigint());
      const body = Buffer.concat(chunks);
      try {
        const event = verify(body, req.headers, secret);
        const { attempt, refuse } = refusals.attempt(`${endpoint}/${event.id}`, event.id);
        if (refuse) {
          // Not a receipt: the sender must try again, as it would after any prompt 5xx.
          refused++;
          scheduleFlush();
          res.writeHead(500, { "content-type": "text/plain" }).end("failing on purpose");
          return;
        }
        record(endpoint, event.id, time, attempt);
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      } catch (error) {
        failures++;
        firstFailure ??= `${req.url}: ${String(error)}`;
        scheduleFlush();
        res.writeHead(400, { "content-type": "text/plain" }).end("bad signature");
      }
    });
  };
}

async function start(message: StartMessage): Promise<void> {
  const ports: number[] = [];
  for (const [index, secret] of message.secrets.entries()) {
    const server = createServer(handler(index, secret, message.hang === true));
    // Longer than any client's keep-alive: the client, not the receiver, closes idle sockets.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 1024, resolve));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  send({ type: "ready", ports });
}

process.on("message", (message: StartMessage | PolicyMessage | { type: "stop" }) => {
  if (message.type === "start") void start(message);
  else if (message.type === "policy") {
    refusals.set(message.fail);
    send({ type: "policy" });
  } else if (message.type === "stop") {
    flush();
    for (const res of hanging) res.destroy();
    for (const server of servers) server.closeAllConnections();
    process.disconnect?.();
    process.exit(0);
  }
});
// The parent went away (crashed or killed): nothing is left to report to.
process.on("disconnect", () => process.exit(0));
