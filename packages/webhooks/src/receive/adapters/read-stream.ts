import type { IncomingMessage } from "node:http";

/**
 * The whole body of a Node request. Events rather than `for await`: the async iterator costs a
 * promise per chunk, and a webhook body is almost always one chunk, handed on without a copy.
 */
export function readStream(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once("error", reject);
    req.once("close", () => {
      if (!req.complete) reject(new Error("the request was closed before its end"));
    });
  });
}
