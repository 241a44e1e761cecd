import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { Answer } from "../answers.ts";
import type { WebhookHandler } from "../handler.ts";
import { rawEntryOf } from "../raw-entry.ts";
import { toRequest } from "./node.ts";

export interface FastifyWebhookOptions {
  handler: WebhookHandler;
  /** The route inside the plugin's prefix. Default "/". */
  path?: string;
}

/**
 * A Fastify plugin that serves the handler at `path`. It swaps in a raw-body parser inside its
 * own encapsulated scope only, so the rest of the app keeps Fastify's JSON parsing. (That is why
 * it must not be wrapped in fastify-plugin.) A handler from `createWebhookHandler` is called with
 * Fastify's headers and body bytes directly, without web `Request`/`Response` objects.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { fastifyWebhook } from "@hookline/webhooks/fastify";
 *
 * const app = Fastify();
 * await app.register(fastifyWebhook, { prefix: "/webhooks", handler });
 * ```
 */
export const fastifyWebhook: FastifyPluginAsync<FastifyWebhookOptions> = async (app, options) => {
  if (typeof options?.handler !== "function") {
    throw new TypeError("fastifyWebhook needs { handler: createWebhookHandler(…) }");
  }
  const { handler } = options;
  const receive = rawEntryOf(handler);
  app.removeAllContentTypeParsers();
  const keepBytes = (
    _request: unknown,
    body: Buffer | string,
    done: (e: null, b: unknown) => void,
  ) => done(null, body);
  // JSON by name as well as the catch-all: Fastify caches the parser it finds for a content type,
  // except the catch-all, which it reaches after parsing the header anew on every request.
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, keepBytes);
  app.addContentTypeParser("*", { parseAs: "buffer" }, keepBytes);
  app.post(options.path ?? "/", async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (receive !== undefined)
      return send(reply, await receive(request.method, request.headers, body));
    const response = await handler(toRequest(request.raw, body));
    reply.code(response.status);
    for (const [name, value] of response.headers) reply.header(name, value);
    return reply.send(Buffer.from(await response.arrayBuffer()));
  });
};

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  // A string body with its content-type set: Fastify sends it as it is, no serializer runs.
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
