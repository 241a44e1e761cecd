import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { answerRequest, type WebhookHandler } from "../handler.ts";
import { rawEntryOf } from "../raw-entry.ts";
import type { Receive } from "../receive.ts";
import { toResponse } from "../web-response.ts";
import { readStream } from "./read-stream.ts";

/**
 * The handler as a Hono route handler. Hono hands over the untouched web `Request`; if a
 * middleware already read the body (`c.req.json()`), the core answers a 500 that says so.
 * Served by `@hono/node-server`, a handler from `createWebhookHandler` reads the signature
 * headers from Node's own `req.headers` (`c.env.incoming`) instead of through the `Request`'s
 * `Headers`, which that server builds on first use, and the body from that `IncomingMessage`
 * while nothing has read it yet.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { honoWebhook } from "@hookline/webhooks/hono";
 *
 * const app = new Hono();
 * app.post("/webhooks", honoWebhook(handler));
 * ```
 */
export function honoWebhook(handler: WebhookHandler): (c: Context) => Promise<Response> {
  const receive = rawEntryOf(handler);
  if (receive === undefined) return (c) => handler(c.req.raw);
  return async (c) => {
    const request = c.req.raw;
    const incoming = nodeIncoming(c.env, request);
    if (incoming === undefined) return toResponse(await answerRequest(request, receive));
    return toResponse(await answerIncoming(request, incoming, receive));
  };
}

/**
 * The body straight from the `IncomingMessage` while nothing has read it, so its bytes are the
 * `Request`'s body: node-server's `arrayBuffer()` copies them into a new `ArrayBuffer` (2–2.5 µs
 * for 1 KB on the benchmark's machine, plus the garbage), and they already are a `Buffer`. A body
 * already read, through the `Request` or the stream, takes the web path and its answers.
 */
async function answerIncoming(request: Request, incoming: IncomingMessage, receive: Receive) {
  if (request.method !== "POST" || request.bodyUsed || incoming.readableDidRead !== false) {
    return answerRequest(request, receive, incoming.headers);
  }
  return receive(request.method, incoming.headers, await readStream(incoming));
}

/**
 * The `IncomingMessage` this request was made from, when `@hono/node-server` serves it: its
 * `env` carries it. Not when the methods differ: a middleware substituted another `Request`,
 * which keeps its own headers and body.
 */
function nodeIncoming(env: unknown, request: Request): IncomingMessage | undefined {
  const incoming = (env as { incoming?: Partial<IncomingMessage> } | undefined)?.incoming;
  const headers = incoming?.headers;
  if (
    typeof headers !== "object" ||
    headers === null ||
    incoming?.method !== request.method ||
    typeof incoming.on !== "function"
  ) {
    return undefined;
  }
  return incoming as IncomingMessage;
}
