import type { IncomingMessage, ServerResponse } from "node:http";
import { type Answer, errorAnswer } from "../answers.ts";
import type { WebhookHandler } from "../handler.ts";
import { rawEntryOf } from "../raw-entry.ts";
import { readStream } from "./read-stream.ts";

/** A Node request, possibly after a body parser left `body` on it (Express, Connect…). */
export type NodeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

/**
 * Adapts the handler to Node's `http` (and anything built on it: Express, Connect, Polka):
 * reads the raw body itself. When a body parser already consumed the stream it uses the raw
 * `Buffer`/string the parser left (`express.raw()`, `express.text()`), and answers a parsed
 * object with a 500 that names the fix, since the signature covers bytes that are gone.
 *
 * A handler from `createWebhookHandler` is called without web `Request` and `Response` objects:
 * Node's headers and body go in, the answer is written to `res` directly. Any other
 * `(request: Request) => Promise<Response>` function works too, through web objects.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { toNodeListener } from "@hookline/webhooks/node";
 *
 * createServer(toNodeListener(handler)).listen(3000);
 * ```
 */
export function toNodeListener(
  handler: WebhookHandler | ((request: Request) => Promise<Response>),
): (req: NodeRequest, res: ServerResponse) => Promise<void> {
  const receive = rawEntryOf(handler);
  const respond =
    receive === undefined
      ? async (req: NodeRequest, body: Buffer, res: ServerResponse) =>
          writeResponse(res, await handler(toRequest(req, body)))
      : async (req: NodeRequest, body: Buffer, res: ServerResponse) =>
          writeAnswer(res, await receive(req.method, req.headers, body));
  return async (req, res) => {
    let body: Buffer | undefined;
    try {
      body = await rawBody(req);
    } catch {
      // The client went away or sent a broken body; there is nobody to explain it to.
      res.destroy();
      return;
    }
    if (body === undefined) {
      writeAnswer(res, errorAnswer(500, "api_error", "body_already_parsed", BODY_ALREADY_PARSED));
      return;
    }
    try {
      await respond(req, body, res);
    } catch (error) {
      // The core answers every expected failure itself; this is a bug, so log it, leak nothing.
      console.error("[hookline] the webhook handler threw:", error);
      writeAnswer(res, errorAnswer(500, "api_error", "internal_error", "internal error"));
    }
  };
}

/** The body bytes, or `undefined` when only a parsed object is left of them. */
function rawBody(req: NodeRequest): Promise<Buffer | undefined> | Buffer | undefined {
  if (req.body !== undefined && (req.readableEnded || req.complete)) {
    if (typeof req.body === "string") return Buffer.from(req.body, "utf8");
    if (req.body instanceof Uint8Array) return toBuffer(req.body);
    // Express 5 sets `body` to undefined when no parser ran; an empty object means one did.
    return undefined;
  }
  return readStream(req);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Writes the answer with one `writeHead` and one `end`: no per-header calls. */
export function writeAnswer(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, headOf(answer));
  res.end(answer.body);
}

// The head of each frozen answer (the 200 and 202 almost every request gets), built once.
const heads = new WeakMap<Answer, Record<string, string | number>>();

function headOf(answer: Answer): Record<string, string | number> {
  let head = heads.get(answer);
  if (head === undefined) {
    head = { ...answer.headers, "content-length": Buffer.byteLength(answer.body) };
    if (Object.isFrozen(answer)) heads.set(answer, head);
  }
  return head;
}

export function toRequest(req: NodeRequest, body: Uint8Array | string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  return new Request(new URL(req.originalUrl ?? req.url ?? "/", "http://localhost"), {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body }),
  });
}

export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.setHeader("content-length", body.length);
  res.end(body);
}

const BODY_ALREADY_PARSED =
  "the request body was parsed before the webhook handler (express.json(), bodyParser…), and " +
  "the signature covers the exact bytes received: mount the webhook route before " +
  'app.use(express.json()), or give it express.raw({ type: "application/json" })';
