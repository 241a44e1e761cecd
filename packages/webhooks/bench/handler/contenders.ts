// The handlers the benchmark serves, each in its own child process (server.ts). Every one does
// the same job for the same requests: take a signed `payment_intent.succeeded`, check it, hand it
// to a handler that does nothing, answer 2xx with a small JSON body.
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import { getRequestListener } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import Stripe from "stripe";
import { createMemoryInbox, createWebhookHandler, type Inbox } from "../../src/index.ts";
import { expressWebhook } from "../../src/receive/adapters/express.ts";
import { fastifyWebhook } from "../../src/receive/adapters/fastify.ts";
import { honoWebhook } from "../../src/receive/adapters/hono.ts";
import { toNodeListener } from "../../src/receive/adapters/node.ts";
import { createPostgresInbox } from "../../src/receive/inbox/postgres.ts";
import { createSqliteInbox } from "../../src/receive/inbox/sqlite.ts";

/** What a contender needs from the orchestrator, through the environment. */
export interface ContenderEnv {
  secret: string;
  /** A fresh SQLite file for this contender. */
  sqlitePath: string;
  /** A fresh PostgreSQL database for this contender. */
  databaseUrl: string | undefined;
}

export interface Contender {
  name: string;
  /** The contender its ratios are taken against (itself for a baseline). */
  peer: string;
  /** Minimum requests/s ratio to `peer`; none for information only. */
  target?: number;
  /** Starts serving on a free loopback port; resolves to the port. */
  start(env: ContenderEnv): Promise<number>;
}

const stripe = new Stripe("sk_test_bench");
const noop = async () => {};
const RECEIVED = JSON.stringify({ received: true });

/** The handler a Stripe user writes: dispatch on the type after constructEvent. */
function handleStripeEvent(event: { type: string }): Promise<void> {
  return event.type === "payment_intent.succeeded" ? noop() : Promise.resolve();
}

const NODE_PEER = "node http: raw body + stripe constructEvent";

export const contenders: Contender[] = [
  {
    name: NODE_PEER,
    peer: NODE_PEER,
    start: ({ secret }) =>
      listenNode(async (req, res) => {
        const body = await readBody(req);
        let event: Stripe.Event;
        try {
          event = stripe.webhooks.constructEvent(body, req.headers["stripe-signature"]!, secret);
        } catch (error) {
          res.writeHead(400).end(`Webhook Error: ${(error as Error).message}`);
          return;
        }
        await handleStripeEvent(event);
        res.writeHead(200, { "content-type": "application/json" }).end(RECEIVED);
      }),
  },
  {
    // The least a receiver that checks a signature and parses can do.
    name: "node http: floor (raw body + bare HMAC + JSON.parse)",
    peer: NODE_PEER,
    start: ({ secret }) =>
      listenNode(async (req, res) => {
        const body = await readBody(req);
        const header = req.headers["stripe-signature"] as string;
        const t = header.slice(2, header.indexOf(","));
        const digest = createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
        if (!header.includes(digest)) {
          res.writeHead(400).end();
          return;
        }
        await handleStripeEvent(JSON.parse(body.toString("utf8")));
        res.writeHead(200, { "content-type": "application/json" }).end(RECEIVED);
      }),
  },
  {
    name: "node http: hookline toNodeListener, SQLite inbox (durability: process), ack-first",
    peer: NODE_PEER,
    start: async (env) => {
      const inbox = createSqliteInbox(env.sqlitePath, { durability: "process" });
      return listenNode(
        toNodeListener(hooklineHandler(inbox, env, "ack-first")) as RequestListener,
      );
    },
  },
  ...(["memory", "SQLite", "PostgreSQL"] as const).flatMap((kind) =>
    (["inline", "ack-first"] as const).map(
      (mode): Contender => ({
        name: `node http: hookline toNodeListener, ${kind} inbox, ${mode}`,
        peer: NODE_PEER,
        ...target(kind, mode),
        start: async (env) =>
          listenNode(
            toNodeListener(
              hooklineHandler(await openInbox(kind, env), env, mode),
            ) as RequestListener,
          ),
      }),
    ),
  ),
  {
    name: "express: express.raw() + stripe constructEvent",
    peer: "express: express.raw() + stripe constructEvent",
    start: ({ secret }) => {
      const app = express();
      app.post("/webhooks", express.raw({ type: "application/json" }), async (req, res) => {
        let event: Stripe.Event;
        try {
          event = stripe.webhooks.constructEvent(
            req.body,
            req.headers["stripe-signature"]!,
            secret,
          );
        } catch (error) {
          res.status(400).send(`Webhook Error: ${(error as Error).message}`);
          return;
        }
        await handleStripeEvent(event);
        res.json({ received: true });
      });
      return listenNode(app as RequestListener);
    },
  },
  {
    name: "express: hookline expressWebhook, memory inbox, inline",
    peer: "express: express.raw() + stripe constructEvent",
    target: 0.9,
    start: (env) => {
      const app = express();
      app.post("/webhooks", expressWebhook(hooklineHandler(createMemoryInbox(), env, "inline")));
      return listenNode(app as RequestListener);
    },
  },
  {
    name: "fastify: buffer parser + stripe constructEvent",
    peer: "fastify: buffer parser + stripe constructEvent",
    start: async ({ secret }) => {
      const app = Fastify();
      app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) =>
        done(null, body),
      );
      app.post("/webhooks", async (request, reply) => {
        let event: Stripe.Event;
        try {
          event = stripe.webhooks.constructEvent(
            request.body as Buffer,
            request.headers["stripe-signature"]!,
            secret,
          );
        } catch (error) {
          return reply.code(400).send(`Webhook Error: ${(error as Error).message}`);
        }
        await handleStripeEvent(event);
        return { received: true };
      });
      return listenFastify(app);
    },
  },
  {
    name: "fastify: hookline fastifyWebhook, memory inbox, inline",
    peer: "fastify: buffer parser + stripe constructEvent",
    target: 0.9,
    start: async (env) => {
      const app = Fastify();
      const handler = hooklineHandler(createMemoryInbox(), env, "inline");
      await app.register(fastifyWebhook, { prefix: "/webhooks", handler });
      return listenFastify(app);
    },
  },
  {
    name: "hono (node-server): c.req.text() + stripe constructEvent",
    peer: "hono (node-server): c.req.text() + stripe constructEvent",
    start: ({ secret }) => {
      const app = new Hono();
      app.post("/webhooks", async (c) => {
        const body = await c.req.text();
        let event: Stripe.Event;
        try {
          event = stripe.webhooks.constructEvent(body, c.req.header("stripe-signature")!, secret);
        } catch (error) {
          return c.text(`Webhook Error: ${(error as Error).message}`, 400);
        }
        await handleStripeEvent(event);
        return c.json({ received: true });
      });
      return listenNode(getRequestListener(app.fetch));
    },
  },
  {
    name: "hono (node-server): hookline honoWebhook, memory inbox, inline",
    peer: "hono (node-server): c.req.text() + stripe constructEvent",
    target: 0.9,
    start: (env) => {
      const app = new Hono();
      app.post("/webhooks", honoWebhook(hooklineHandler(createMemoryInbox(), env, "inline")));
      return listenNode(getRequestListener(app.fetch));
    },
  },
];

/** The targets: memory inline ≥ 0.9×, SQLite ack-first ≥ 0.6× the constructEvent handler. */
function target(kind: string, mode: string): { target?: number } {
  if (kind === "memory" && mode === "inline") return { target: 0.9 };
  if (kind === "SQLite" && mode === "ack-first") return { target: 0.6 };
  return {};
}

function hooklineHandler(inbox: Inbox, env: ContenderEnv, mode: "inline" | "ack-first") {
  return createWebhookHandler({
    secrets: env.secret,
    inbox,
    mode,
    on: { "payment_intent.succeeded": noop },
  });
}

async function openInbox(kind: "memory" | "SQLite" | "PostgreSQL", env: ContenderEnv) {
  if (kind === "memory") return createMemoryInbox();
  if (kind === "SQLite") return createSqliteInbox(env.sqlitePath);
  if (env.databaseUrl === undefined) throw new Error("no PostgreSQL database for this contender");
  return createPostgresInbox(env.databaseUrl);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function listenNode(listener: RequestListener): Promise<number> {
  const server = createServer({ keepAliveTimeout: 60_000 }, listener);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

async function listenFastify(app: ReturnType<typeof Fastify>): Promise<number> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  return (app.server.address() as { port: number }).port;
}
