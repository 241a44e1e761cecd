import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { notFound } from "../errors.ts";
import { notBuiltPage } from "./dashboard-not-built.ts";

/**
 * The dashboard's build. A built server carries its own copy (the build copies it to
 * dist/dashboard, so the published package serves it); from source, the workspace's
 * packages/dashboard/dist. Both are found from this file, at <src|dist>/api/routes/.
 */
const BUNDLED = fileURLToPath(new URL("../../dashboard/", import.meta.url));
export const DASHBOARD_DIR = existsSync(join(BUNDLED, "index.html"))
  ? BUNDLED
  : fileURLToPath(new URL("../../../../dashboard/dist/", import.meta.url));

/** The dashboard's client-side routes; each answers index.html and the app draws the screen. */
const CLIENT_ROUTES = ["/", "/endpoints", "/endpoints/:id", "/events", "/events/:id", "/portal"];

/** Paths of the dashboard: its pages and assets are public, the data they load needs the key. */
export const isDashboardPath = (path: string) =>
  /^\/(?:(?:endpoints|events)(?:\/[^/]+)?|portal|assets\/[^/]+)?$/.test(path);

const html = {
  description: "The dashboard's page (or, when it was not built, a page saying how to build it).",
  content: { "text/html": { schema: { type: "string" } } },
};
const AssetParams = Type.Object({
  file: Type.String({ pattern: "^[A-Za-z0-9_-][A-Za-z0-9._-]*$", maxLength: 200 }),
});

/** Serves the built dashboard at `/`, its client routes, and its content-hashed assets. */
export function dashboardRoutes(app: FastifyInstance, options: { dir?: string } = {}): void {
  const dir = options.dir ?? DASHBOARD_DIR;
  let built = false;
  // Checked per page load until found, so building while the server runs needs no restart.
  const isBuilt = () => (built ||= existsSync(join(dir, "index.html")));
  app.register(fastifyStatic, { root: dir, serve: false });

  const page = async (_request: unknown, reply: FastifyReply) => {
    if (!isBuilt()) {
      return reply.code(503).type("text/html; charset=utf-8").send(notBuiltPage(dir));
    }
    // The page names the current assets: it must be revalidated, never cached stale.
    reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html", dir, { cacheControl: false });
  };
  for (const url of CLIENT_ROUTES) {
    app.get(
      url,
      {
        schema: {
          description: `The dashboard${url === "/" ? "" : ` (client route ${url})`}: a single-page app over this API; it asks for an API key.`,
          tags: ["dashboard"],
          hide: true,
          ...(url.includes(":id")
            ? { params: Type.Object({ id: Type.String({ maxLength: 100 }) }) }
            : {}),
          response: { 200: html, 503: html },
        },
      },
      page,
    );
  }

  app.get<{ Params: { file: string } }>(
    "/assets/:file",
    {
      schema: {
        description: "A file of the dashboard's build; names carry a content hash.",
        tags: ["dashboard"],
        hide: true,
        params: AssetParams,
        response: {
          200: {
            description: "JavaScript, CSS or an image.",
            content: { "application/octet-stream": { schema: { type: "string" } } },
          },
          404: html,
        },
      },
    },
    async (request, reply) => {
      const file = request.params.file;
      if (!existsSync(join(dir, "assets", file))) throw notFound("asset", file, "file");
      // The name changes whenever the content does, so the content may be kept for good.
      reply.header("cache-control", "public, max-age=31536000, immutable");
      return reply.sendFile(join("assets", file), dir, { cacheControl: false });
    },
  );
}
