import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer this much later, as a receiver doing real work would. */
  delayMs?: number;
}
export type Responder = (request: Received, index: number) => Answer | "hang" | "reset" | undefined;

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers as `respond` says
 * (default 200). `"hang"` never answers, to exercise timeouts; `"reset"` drops the connection
 * without an answer, as a crashed or overloaded server's proxy does.
 */
export async function startReceiver(respond: Responder = () => undefined) {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const entry = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      received.push(entry);
      const answer = respond(entry, received.length - 1);
      if (answer === "hang") {
        hanging.push(res);
        return;
      }
      if (answer === "reset") {
        res.socket?.resetAndDestroy();
        return;
      }
      const send = () => {
        res.writeHead(answer?.status ?? 200, answer?.headers ?? {});
        res.end(answer?.body ?? "ok");
      };
      if (answer?.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    port,
    received,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
