import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "../src/api/openapi/operation.ts";
import { recordRoutes } from "../src/api/openapi/route-registry.ts";
import { openApiRoutes, REFERENCE_PATH } from "../src/api/openapi/routes.ts";
import { isDashboardPath } from "../src/api/routes/dashboard.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document as JSON; the assertions check it
type Doc = any;

/** The routes Fastify serves, read from its own route tree (not from our route registry). */
function servedRoutes(tree: string): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (match === null) continue;
    const depth = match[1]!.length / 4;
    const path = (depth === 0 ? "" : stack[depth - 1]!) + match[2]!;
    stack[depth] = path;
    for (const method of (match[3] ?? "").split(", ").filter(Boolean)) {
      if (method !== "HEAD") routes.push({ method, path });
    }
  }
  return routes;
}

/** What is wrong with the document's entry for each served route; empty when all is well. */
function coverageProblems(doc: Doc, routes: { method: string; path: string }[]): string[] {
  const problems: string[] = [];
  for (const { method, path } of routes) {
    const name = `${method} ${path}`;
    const operation = doc.paths[openApiPath(path)]?.[method.toLowerCase()];
    if (operation === undefined) {
      problems.push(`${name}: not in the document`);
      continue;
    }
    if (typeof operation.description !== "string" || operation.description.length < 10) {
      problems.push(`${name}: no description`);
    }
    const success = Object.entries(operation.responses ?? {}).filter(([s]) => s.startsWith("2"));
    // biome-ignore lint/suspicious/noExplicitAny: a response object of the document
    if (!success.some(([, r]: [string, any]) => Object.values(r.content ?? {}).length > 0)) {
      problems.push(`${name}: no success response schema`);
    }
    for (const param of path.match(/:[A-Za-z0-9_]+/g) ?? []) {
      const documented = operation.parameters?.some(
        // biome-ignore lint/suspicious/noExplicitAny: a parameter object of the document
        (p: any) => p.in === "path" && p.name === param.slice(1),
      );
      if (!documented) problems.push(`${name}: path parameter ${param} undocumented`);
    }
  }
  return problems;
}

/** Pages for people (the dashboard, the rendered reference), not operations of the API. */
const isPage = (path: string) => isDashboardPath(path) || path === REFERENCE_PATH;

describe("the OpenAPI document", () => {
  let server: TestServer;
  let doc: Doc;
  beforeAll(async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    doc = await response.json();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("is OpenAPI 3.1 and is served without an API key", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ scheme: "bearer" });
    expect(doc.paths["/v1/openapi.json"].get.security).toEqual([]);
    expect(doc.paths["/v1/events"].post.security).toBeUndefined();
  });

  it("documents every route the server serves, each with a description and a success schema", () => {
    const routes = servedRoutes(server.app.printRoutes({ commonPrefix: false })).filter(
      (route) => !isPage(route.path),
    );
    expect(routes.length).toBeGreaterThan(15);
    expect(coverageProblems(doc, routes)).toEqual([]);
  });

  it("lists no HTML page as an operation, so a client generator makes no method of one", () => {
    const pages = servedRoutes(server.app.printRoutes({ commonPrefix: false })).filter((route) =>
      isPage(route.path),
    );
    expect(pages.map((route) => route.path)).toEqual(
      expect.arrayContaining(["/", "/endpoints/:id", "/portal", "/assets/:file", REFERENCE_PATH]),
    );
    for (const { path } of pages) expect(doc.paths, path).not.toHaveProperty([openApiPath(path)]);
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(JSON.stringify(operations), path).not.toContain("text/html");
    }
  });

  it("documents no route the server does not serve", () => {
    const served = new Set(
      servedRoutes(server.app.printRoutes({ commonPrefix: false })).map(
        (r) => `${r.method} ${openApiPath(r.path)}`,
      ),
    );
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations as object)) {
        expect(served, `${method} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
      }
    }
  });

  it("reports a route registered without a schema or a description", async () => {
    const app = Fastify();
    const routes = recordRoutes(app);
    app.get("/v1/widgets", async () => ({}));
    app.get(
      "/v1/gadgets",
      { schema: { description: "Lists gadgets, newest first." } },
      async () => [],
    );
    openApiRoutes(app, routes, { isPublic: () => true });
    await app.ready();
    const fresh = (await app.inject({ url: "/v1/openapi.json" })).json();
    const problems = coverageProblems(
      fresh,
      servedRoutes(app.printRoutes({ commonPrefix: false })).filter((r) => !isPage(r.path)),
    );
    expect(problems.sort()).toEqual([
      "GET /v1/gadgets: no success response schema",
      "GET /v1/widgets: no description",
      "GET /v1/widgets: no success response schema",
    ]);
    await app.close();
  });

  it("takes its request schemas from the route schemas the server validates with", async () => {
    const create = doc.paths["/v1/webhook_endpoints"].post;
    const body = create.requestBody.content["application/json"].schema;
    expect(create.requestBody.required).toBe(true);
    expect(body.required).toEqual(["url", "enabled_events"]);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.ordering_on_exhausted.anyOf).toEqual([
      { type: "string", const: "skip" },
      { type: "string", const: "hold" },
    ]);
    // What the document says is refused, the server refuses, and the reverse.
    const unknown = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hook",
      enabled_events: ["*"],
      colour: "blue",
    });
    expect(unknown.body.error).toMatchObject({ code: "parameter_unknown", param: "colour" });
    const limit = doc.paths["/v1/events"].get.parameters.find(
      // biome-ignore lint/suspicious/noExplicitAny: a parameter object of the document
      (p: any) => p.name === "limit",
    );
    expect(limit).toMatchObject({ in: "query", required: false });
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: limit.schema.maximum });
    const tooMany = await server.api("GET", `/v1/events?limit=${limit.schema.maximum + 1}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.param).toBe("limit");
  });

  it("names shared objects once, and every reference resolves", () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["WebhookEndpoint", "Event", "WebhookDelivery", "Error"]),
    );
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const name = /#\/components\/schemas\/(.+)"$/.exec(ref)?.[1];
      expect(doc.components.schemas, ref).toHaveProperty([name!]);
    }
    const operationIds = Object.values(doc.paths).flatMap((ops) =>
      // biome-ignore lint/suspicious/noExplicitAny: operations of the document
      Object.values(ops as object).map((op: any) => op.operationId),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it("renders a reference page that embeds the document and loads nothing from elsewhere", async () => {
    const response = await fetch(`${server.url}/docs/api`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('"/v1/webhook_endpoints/{id}/rotate_secret"');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!spec\.openapis\.org)/);
  });
});
