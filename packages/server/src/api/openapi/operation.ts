import type { FastifySchema } from "fastify";
import type { Components, JsonSchema } from "./components.ts";
import type { RegisteredRoute } from "./route-registry.ts";

/** `/v1/events/:id` → `/v1/events/{id}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/**
 * A stable operationId read from the path, Stripe-style: `webhook_endpoints.create`, `.list`,
 * `.retrieve`, `.update`, `.delete`, and sub-actions by name (`deliveries.retry`). The typed
 * client's generated types are named from these.
 */
export function operationId(method: string, url: string): string {
  const parts = url.split("/").filter(Boolean);
  if (parts[0] !== "v1" || parts.length < 2) {
    return parts.join("_").replace(/[^A-Za-z0-9_]/g, "_") || "root";
  }
  const [, resource, id, action] = parts;
  if (action !== undefined) return `${resource}.${action}`;
  // A named action on the collection (`/v1/events/batch`, `/v1/webhook_endpoints/filter_test`).
  if (id !== undefined && !id.startsWith(":")) return `${resource}.${id}`;
  if (id === undefined) return `${resource}.${method === "POST" ? "create" : "list"}`;
  const byMethod: Record<string, string> = {
    GET: "retrieve",
    POST: "update",
    PATCH: "update_with_patch",
    DELETE: "delete",
  };
  return `${resource}.${byMethod[method] ?? method.toLowerCase()}`;
}

const STATUS_TEXT: Record<string, string> = {
  200: "OK.",
  400: "Invalid request: a parameter is missing, unknown or invalid.",
  401: "No valid API key.",
  404: "No such object.",
  409: "Conflict: the Idempotency-Key was used with other parameters, or the object is busy.",
  503: "Not ready.",
};

/** One OpenAPI operation from one route's schema. `isPublic`: needs no API key. */
export function toOperation(
  route: RegisteredRoute,
  components: Components,
  options: { isPublic: boolean },
): JsonSchema {
  const schema: FastifySchema = route.schema ?? {};
  const path = openApiPath(route.url);
  const parameters: JsonSchema[] = [
    ...propertiesOf(schema.params, components, "path"),
    ...propertiesOf(schema.querystring, components, "query"),
  ];
  // A POST on a collection is a create, and creates honour Idempotency-Key (idempotency-key.ts).
  if (route.method === "POST" && !path.includes("{")) {
    parameters.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Makes the create safe to retry: the same key with the same body returns the first result; with another body, a 409.",
      schema: { type: "string", minLength: 1, maxLength: 255 },
    });
  }
  const operation: JsonSchema = {
    operationId: operationId(route.method, route.url),
    tags: schema.tags ?? [tagOf(route.url)],
  };
  if (schema.summary !== undefined) operation.summary = schema.summary;
  if (schema.description !== undefined) operation.description = schema.description;
  if (parameters.length > 0) operation.parameters = parameters;
  if (schema.body !== undefined) {
    const body = components.use(schema.body);
    operation.requestBody = {
      // Routes whose body has no required field accept no body at all (defaultEmptyBody).
      required: Array.isArray(body.required) && body.required.length > 0,
      content: { "application/json": { schema: body } },
    };
  }
  operation.responses = responsesOf(schema.response, components);
  if (options.isPublic) operation.security = [];
  return operation;
}

function propertiesOf(schema: unknown, components: Components, where: "path" | "query") {
  if (schema === undefined) return [];
  const object = components.use(schema);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: property,
  }));
}

function responsesOf(response: unknown, components: Components): JsonSchema {
  const out: JsonSchema = {};
  for (const [status, value] of Object.entries((response ?? {}) as Record<string, JsonSchema>)) {
    // Fastify's `{description, content: {<media type>: {schema}}}` form, for non-JSON answers.
    if (value.content !== undefined) {
      out[status] = components.use(value);
      continue;
    }
    const schema = components.use(value);
    const own = typeof value.description === "string" ? value.description : undefined;
    out[status] = {
      // Error schemas are shared, so their own description says nothing about this status.
      description:
        (status === "200" ? (own ?? STATUS_TEXT[status]) : (STATUS_TEXT[status] ?? own)) ??
        `HTTP ${status}`,
      content: { "application/json": { schema } },
    };
  }
  return out;
}

function tagOf(url: string): string {
  const parts = url.split("/").filter(Boolean);
  if (parts[0] === "v1" && parts[1] !== undefined && !parts[1].includes(".")) return parts[1];
  return parts[0] === "v1" || parts[0] === "docs" ? "reference" : "operations";
}
