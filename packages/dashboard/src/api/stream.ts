import type { LiveMessage } from "./types.ts";

/**
 * Reads `GET /v1/stream` with fetch, because EventSource cannot send the Authorization header
 * (and the key must not go in the URL). Resolves when the server ends the stream; rejects on
 * an error answer or a broken connection. `onOpen` runs once the answer is 200.
 */
export async function readStream(
  apiKey: string,
  handlers: { onOpen(): void; onMessage(message: LiveMessage): void },
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch("/v1/stream", {
    headers: { authorization: `Bearer ${apiKey}`, accept: "text/event-stream" },
    cache: "no-store",
    signal,
  });
  if (!response.ok || response.body === null) throw new Error(`stream: HTTP ${response.status}`);
  handlers.onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const message = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (message !== undefined) handlers.onMessage(message);
    }
  }
}

/** One server-sent event block (`event:` and `data:` lines; comments and `retry:` ignored). */
function parseBlock(block: string): LiveMessage | undefined {
  let type = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return undefined;
  try {
    return { type, data: JSON.parse(data.join("\n")) } as LiveMessage;
  } catch {
    return undefined;
  }
}
