import { connect, type Socket } from "node:net";

/** What one burst of requests measured, client side. */
export interface LoadResult {
  requests: number;
  elapsedMs: number;
  /** Per request, ms from writing the request to reading the whole response. */
  latencies: Float64Array;
  /** How many answers had each status. */
  statuses: Map<number, number>;
}

const HEADER_END = Buffer.from("\r\n\r\n");
const CHUNKED_END = Buffer.from("0\r\n\r\n");

/**
 * Sends every request in `requests` (complete HTTP/1.1 messages) over `connections` keep-alive
 * sockets to 127.0.0.1:`port`, one request in flight per socket, and times each. A bare socket
 * client rather than `http.request` or undici: on a 2-core machine the client shares the CPU with
 * the server under test, and parsing a response head with indexOf costs a fraction of what a full
 * HTTP client does, so more of the machine goes to what is measured.
 */
export async function drive(
  port: number,
  requests: readonly Buffer[],
  connections: number,
): Promise<LoadResult> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => open(port)));
  const latencies = new Float64Array(requests.length);
  const statuses = new Map<number, number>();
  let next = 0;
  const start = performance.now();
  await Promise.all(
    sockets.map(async (socket) => {
      const reader = responses(socket);
      for (let i = next++; i < requests.length; i = next++) {
        const sent = performance.now();
        socket.write(requests[i]!);
        const status = await reader.next();
        latencies[i] = performance.now() - sent;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  for (const socket of sockets) socket.destroy();
  return { requests: requests.length, elapsedMs, latencies, statuses };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", noDelay: true });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Reads one response after another from `socket`; `next` resolves to its status. */
function responses(socket: Socket): { next(): Promise<number> } {
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve(status: number): void; reject(error: Error): void } | undefined;
  const tryComplete = () => {
    if (waiting === undefined) return;
    const headEnd = buffered.indexOf(HEADER_END);
    if (headEnd === -1) return;
    const head = buffered.toString("latin1", 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = headEnd + 4 + Number(length[1]);
      if (buffered.length < end) return;
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const last = buffered.indexOf(CHUNKED_END, headEnd + 4);
      if (last === -1) return;
      end = last + CHUNKED_END.length;
    } else {
      end = headEnd + 4;
    }
    buffered = buffered.subarray(end);
    const done = waiting;
    waiting = undefined;
    done.resolve(status);
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    tryComplete();
  });
  const fail = (error: Error) => waiting?.reject(error);
  socket.on("error", fail);
  socket.on("close", () => fail(new Error("the server closed the connection")));
  return {
    next: () =>
      new Promise<number>((resolve, reject) => {
        waiting = { resolve, reject };
        tryComplete();
      }),
  };
}
