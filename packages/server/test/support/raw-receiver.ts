// A receiver whose handler writes the response itself (stalled bodies, huge answers, socket
// counts), for the sender's tests; support/receiver.ts answers declaratively for engine tests.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the receiver got it: the raw body bytes, exactly as they arrived. */
export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>`: loopback only; tests never target anything else. */
  url: string;
  port: number;
  requests: Received[];
  /** TCP connections accepted, to observe keep-alive reuse. */
  connections: number;
  close(): Promise<void>;
}

type Handler = (res: http.ServerResponse, req: Received) => void;

const answer200: Handler = (res) => res.end("ok");

/** A real HTTP receiver on loopback; the handler answers after the whole body has arrived. */
export async function startReceiver(
  handler: Handler = answer200,
  options: { host?: string; port?: number } = {},
): Promise<Receiver> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      receiver.requests.push(received);
      handler(res, received);
    });
  });
  server.on("connection", () => {
    receiver.connections += 1;
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://${host}:${port}`,
    port,
    requests: [],
    connections: 0,
    close: () => {
      // Stalled test receivers hold sockets open; close() alone would wait for them.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** A loopback port that nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const receiver = await startReceiver();
  await receiver.close();
  return receiver.port;
}

/**
 * A receiver that holds each request `holdMs` before answering 200, and counts how many it held
 * at once at most: the concurrency a sender really put on it.
 */
export async function startHoldingReceiver(
  holdMs: number,
): Promise<Receiver & { mostAtOnce(): number }> {
  let running = 0;
  let most = 0;
  const receiver = await startReceiver((res) => {
    running++;
    most = Math.max(most, running);
    setTimeout(() => {
      running--;
      res.end("ok");
    }, holdMs);
  });
  return Object.assign(receiver, { mostAtOnce: () => most });
}
