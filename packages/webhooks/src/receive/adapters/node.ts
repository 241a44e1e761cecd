import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebhookHandler } from "../handler.ts";
import { errorResponse } from "../responses.ts";

/** A Node request, possibly after a body parser left `body` on it (Express, Connect…). */
export type NodeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

/**
 * Adapts the handler to Node's `http` (and anything built on it: Express, Connect, Polka):
 * reads the raw body itself. When a body parser already consumed the stream it uses the raw
 * `Buffer`/string the parser left (`express.raw()`, `express.text()`), and answers a parsed
 * object with a 500 that names the fix, since the signature covers bytes that are gone.
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
  return async (req, res) => {
    let body: Uint8Array | string | undefined;
    try {
      body = await rawBody(req);
    } catch {
      // The client went away or sent a broken body; there is nobody to explain it to.
      res.destroy();
      return;
    }
    let response: Response;
    try {
      response =
        body === undefined
          ? errorResponse(500, "api_error", "body_already_parsed", BODY_ALREADY_PARSED)
          : await handler(toRequest(req, body));
    } catch (error) {
      // The core answers every expected failure itself; this is a bug, so log it, leak nothing.
      console.error("[hookline] the webhook handler threw:", error);
      response = errorResponse(500, "api_error", "internal_error", "internal error");
    }
    await writeResponse(res, response);
  };
}

/** The body bytes, or `undefined` when only a parsed object is left of them. */
async function rawBody(req: NodeRequest): Promise<Uint8Array | string | undefined> {
  if (req.body !== undefined && (req.readableEnded || req.complete)) {
    if (typeof req.body === "string" || req.body instanceof Uint8Array) return req.body;
    // Express 5 sets `body` to undefined when no parser ran; an empty object means one did.
    return undefined;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
