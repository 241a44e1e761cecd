import { createParser, type EventSourceMessage } from "eventsource-parser";

/** Nothing at all, not even the server's 15 s heartbeat, for this long: the link is dead. */
const IDLE_MS = 45_000;

export class StreamIdleError extends Error {
  override readonly name = "StreamIdleError";
}

/**
 * Reads server-sent events from a stream body and hands each to `onMessage`, one at a time:
 * the next is not read until the last was handled, so deliveries are forwarded in the order
 * they came. Resolves when the server ends the stream. A stream silent for 45 s while being
 * read (a laptop that slept, a half-open connection) is cut off with a StreamIdleError, so the
 * caller reconnects instead of waiting on a dead socket.
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onMessage: (message: EventSourceMessage) => Promise<void>,
  options: { idleMs?: number } = {},
): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => parsed.push(message) });
  const idleMs = options.idleMs ?? IDLE_MS;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StreamIdleError(`nothing from the server for ${idleMs / 1000} s`)),
          idleMs,
        );
      });
      const chunk = await Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
      if (chunk.done) return;
      parser.feed(chunk.value);
      while (parsed.length > 0) await onMessage(parsed.shift() as EventSourceMessage);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
