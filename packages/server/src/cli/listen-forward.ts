import { request } from "undici";
import type { Report } from "./listen-api.ts";

/** One delivery as the stream carries it: signed by the server, to be sent as is. */
export interface StreamedDelivery {
  attempt: string;
  event: string;
  headers: Record<string, string>;
  body: string;
}

const KEEP_BYTES = 4096;

/**
 * POSTs the delivery to the local app with exactly the headers and body the server signed,
 * and says what happened in the form the server records. Never rejects.
 */
export async function forward(
  delivery: StreamedDelivery,
  target: string,
  timeoutMs: number,
): Promise<Report> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await request(target, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
      signal: AbortSignal.timeout(timeoutMs),
      // undici's own 300 s limits would cut a debugging session short: the signal rules.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const body = await readCapped(response.body as AsyncIterable<Buffer>);
    return { attempt: delivery.attempt, status: response.statusCode, body, duration_ms: elapsed() };
  } catch (error) {
    return { attempt: delivery.attempt, duration_ms: elapsed(), error: classify(error, timeoutMs) };
  }
}

/** The first 4 KB, as the server keeps of any answer; the rest is not read. */
async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const kept: Buffer[] = [];
  let size = 0;
  // Leaving the loop early destroys the body: a huge answer is not downloaded.
  for await (const chunk of body) {
    kept.push(chunk);
    size += chunk.length;
    if (size >= KEEP_BYTES) break;
  }
  return Buffer.concat(kept).subarray(0, KEEP_BYTES).toString("utf8");
}

function classify(error: unknown, timeoutMs: number): NonNullable<Report["error"]> {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") {
    return { kind: "timeout", message: `no complete answer within ${timeoutMs} ms` };
  }
  const code = e.code ?? e.cause?.code ?? "";
  const message = `${code ? `${code}: ` : ""}${e.message ?? String(error)}`.slice(0, 1000);
  if (
    /^E[A-Z]+$/.test(code) ||
    code.startsWith("UND_ERR_SOCKET") ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  ) {
    return { kind: "connection_failed", message };
  }
  return { kind: "unknown", message };
}
