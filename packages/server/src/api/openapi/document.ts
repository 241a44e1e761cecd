import { Components, type JsonSchema } from "./components.ts";
import { openApiPath, toOperation } from "./operation.ts";
import type { RegisteredRoute } from "./route-registry.ts";

/** The version of the API the document describes (the package's version, like `hookline --version`). */
export const API_VERSION = "0.1.0";

/**
 * The OpenAPI 3.1 document of the routes as registered. OpenAPI 3.1 schemas are JSON Schema, so
 * the TypeBox schemas the server validates with go in unchanged: the document cannot drift
 * from what the server accepts.
 */
export function openApiDocument(
  routes: readonly RegisteredRoute[],
  options: { isPublic: (path: string) => boolean },
): JsonSchema {
  const components = new Components();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const sorted = [...routes].sort(
    (a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method),
  );
  for (const route of sorted) {
    if (route.schema?.hide === true) continue;
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = toOperation(route, components, {
      isPublic: options.isPublic(route.url),
    });
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Hookline API",
      version: API_VERSION,
      description:
        "Self-hosted webhooks the way Stripe sends them. JSON over HTTP; objects and errors in Stripe's shapes; times in unix seconds; cursor pagination with limit / starting_after / ending_before.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "The root API key: HOOKLINE_API_KEY, or the key printed on first start.",
        },
      },
    },
  };
}
