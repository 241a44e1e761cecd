import type { FastifyInstance } from "fastify";
import { openApiDocument } from "./document.ts";
import { referencePage } from "./reference-page.ts";
import type { RegisteredRoute } from "./route-registry.ts";

/** The path of the rendered reference; like the document, it needs no API key. */
export const REFERENCE_PATH = "/docs/api";

/**
 * `GET /v1/openapi.json` and the rendered reference page. Both are built on first request, once
 * every route is registered, and then served from memory: routes never change at run time.
 */
export function openApiRoutes(
  app: FastifyInstance,
  routes: readonly RegisteredRoute[],
  options: { isPublic: (path: string) => boolean },
): void {
  let json: string | undefined;
  let html: string | undefined;
  const documentJson = () => (json ??= JSON.stringify(openApiDocument(routes, options)));

  app.get(
    "/v1/openapi.json",
    {
      schema: {
        description:
          "This API's OpenAPI 3.1 document, generated from the schemas the server validates requests with.",
        tags: ["reference"],
        response: {
          200: {
            description: "The OpenAPI 3.1 document.",
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
    async (_request, reply) => reply.type("application/json").send(documentJson()),
  );

  app.get(
    REFERENCE_PATH,
    {
      schema: {
        description:
          "The API reference, rendered from the OpenAPI document as one offline HTML page.",
        tags: ["reference"],
        hide: true,
        response: {
          200: {
            description: "An HTML page.",
            content: { "text/html": { schema: { type: "string" } } },
          },
        },
      },
    },
    async (_request, reply) => {
      html ??= referencePage(documentJson());
      // The page is self-contained: its inline script and style, and nothing else at all.
      reply.header(
        "content-security-policy",
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      );
      return reply.type("text/html; charset=utf-8").send(html);
    },
  );
}
