import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portalMay } from "../src/api/portal-access.ts";
import { PORTAL_SECRET_SETTING } from "../src/api/portal-signer.ts";
import { signPortalToken } from "../src/api/portal-token.ts";
import { startServer } from "../src/serve.ts";
import { callAs } from "./support/call-as.ts";
import { startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Portal links: a signed, expiring token that opens one tenant's endpoints and events. These
// tests call the real server over loopback with the token as the dashboard sends it.

type Doc = { paths: Record<string, Record<string, unknown>> };

const HOUR = 3_600_000;
const fastifyPath = (openApi: string) => openApi.replace(/\{(\w+)\}/g, ":$1");

/** Raw rows of the settings table, as a copy of the database would show them. */
function storedSettings(database: string): Record<string, string> {
  const db = new Database(database, { readonly: true });
  try {
    const rows = db.prepare("SELECT key, value FROM settings").all() as {
      key: string;
      value: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  } finally {
    db.close();
  }
}

describe("portal links", () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let now = Date.now();
  const a: Record<string, string> = { tenant: "tn_acme" };
  const b: Record<string, string> = { tenant: "tn_globex" };
  let portalA: string;

  const as = (token: string, headers: Record<string, string> = {}) =>
    callAs(server.url, token, headers);
  const root = (tenant: string) => (method: string, path: string, body?: unknown) =>
    server.api(method, path, body, { "hookline-tenant": tenant });

  /** An endpoint, an event and its delivery in `tenant`, created with the root key. */
  async function seed(ids: Record<string, string>, name: string) {
    await server.api("POST", "/v1/tenants", { id: ids.tenant, name });
    const call = root(ids.tenant!);
    ids.endpoint = (
      await call("POST", "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] })
    ).body.id;
    const before = receiver.received.length;
    ids.event = (
      await call("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } })
    ).body.id;
    await waitFor(() => receiver.received.length === before + 1);
    ids.delivery = (await call("GET", `/v1/deliveries?event=${ids.event}`)).body.data[0].id;
  }

  /** Tenant B as the root key sees it, for before/after comparisons. */
  const snapshotB = async () => {
    const call = root(b.tenant!);
    return {
      endpoint: (await call("GET", `/v1/webhook_endpoints/${b.endpoint}`)).body,
      delivery: (await call("GET", `/v1/deliveries/${b.delivery}`)).body,
      events: (await call("GET", "/v1/events?limit=100")).body.data.map(
        (e: { id: string }) => e.id,
      ),
      received: receiver.received.length,
    };
  };

  beforeAll(async () => {
    server = await startTestServer({}, { clock: () => now });
    receiver = await startReceiver();
    await seed(a, "Acme");
    await seed(b, "Globex");
    const link = await server.api("POST", `/v1/tenants/${a.tenant}/portal_links`, {});
    portalA = link.body.token;
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.stop();
  });

  it("mints a link with the root key: the token in the URL's fragment, 1 hour by default", async () => {
    const link = await server.api("POST", `/v1/tenants/${a.tenant}/portal_links`);
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({
      object: "portal_link",
      tenant: a.tenant,
      expires_at: Math.floor(now / 1000) + 3600,
    });
    expect(link.body.url).toBe(`${server.url}/portal#token=${link.body.token}`);
    expect(link.body.token).toMatch(/^plt_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    for (const [expiresIn, seconds] of [
      ["30m", 1800],
      ["7d", 7 * 86_400],
      [90, 90],
    ] as const) {
      const answer = await server.api("POST", `/v1/tenants/${a.tenant}/portal_links`, {
        expires_in: expiresIn,
      });
      expect(answer.body.expires_at, String(expiresIn)).toBe(Math.floor(now / 1000) + seconds);
    }
  });

  it("mints links for the root key only, and for tenants that exist", async () => {
    const tenantKey = (await server.api("POST", "/v1/api_keys", { tenant: a.tenant })).body.key;
    for (const token of [tenantKey, portalA]) {
      const refused = await as(token)("POST", `/v1/tenants/${a.tenant}/portal_links`, {});
      expect(refused.status).toBe(403);
      expect(refused.body.error.type).toBe("permission_error");
    }
    for (const id of ["tn_nobody", "nobody"]) {
      const missing = await server.api("POST", `/v1/tenants/${id}/portal_links`, {});
      expect(missing, id).toMatchObject({
        status: 404,
        body: { error: { code: "resource_missing" } },
      });
    }
  });

  it("refuses a bad expires_in with 400 and writes nothing", async () => {
    const fresh = await startTestServer();
    try {
      await fresh.api("POST", "/v1/tenants", { id: "tn_acme", name: "Acme" });
      const before = storedSettings(fresh.config.database);
      for (const expiresIn of [0, -1, 604_801, 1.5, "8d", "0s", "soon", "3600", null, {}]) {
        const answer = await fresh.api("POST", "/v1/tenants/tn_acme/portal_links", {
          expires_in: expiresIn,
        });
        expect(answer.status, JSON.stringify(expiresIn)).toBe(400);
        expect(answer.body.error.type).toBe("invalid_request_error");
      }
      const extra = await fresh.api("POST", "/v1/tenants/tn_acme/portal_links", { tenant: "x" });
      expect(extra.status).toBe(400);
      // Not even the signing secret: it is made on the first link actually minted.
      expect(storedSettings(fresh.config.database)).toEqual(before);
      expect(before[PORTAL_SECRET_SETTING]).toBeUndefined();
    } finally {
      await fresh.stop();
    }
  });

  it("reads its own tenant and nothing of another", async () => {
    const asA = as(portalA);
    const session = await asA("GET", "/v1/portal_session");
    expect(session.body).toMatchObject({
      object: "portal_session",
      tenant: { id: a.tenant, name: "Acme" },
    });
    const lists = await Promise.all(
      [
        "/v1/webhook_endpoints",
        "/v1/events",
        "/v1/deliveries",
        `/v1/deliveries?endpoint=${b.endpoint}`,
        "/v1/stats",
      ].map((path) => asA("GET", path)),
    );
    for (const list of lists) expect(list.status).toBe(200);
    const seen = JSON.stringify(lists.map((l) => l.body));
    for (const id of [a.endpoint!, a.event!, a.delivery!]) expect(seen).toContain(id);
    for (const id of [b.endpoint!, b.event!, b.delivery!]) expect(seen).not.toContain(id);
    const header = await as(portalA, { "hookline-tenant": b.tenant! })("GET", "/v1/events");
    expect(header.status).toBe(403);
  });

  it("answers every object route naming B's objects with 404 (or 403 where a link may not go), and changes nothing", async () => {
    const document = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as Doc;
    // The same walk as test/tenancy.test.ts: B's id of the right kind, a body valid for the route.
    const matrix: Record<string, { id: string; body?: unknown }> = {
      "get /v1/webhook_endpoints/{id}": { id: b.endpoint! },
      "post /v1/webhook_endpoints/{id}": { id: b.endpoint!, body: { description: "x" } },
      "patch /v1/webhook_endpoints/{id}": { id: b.endpoint!, body: { disabled: true } },
      "get /v1/webhook_endpoints/{id}/health": { id: b.endpoint! },
      "post /v1/webhook_endpoints/{id}/recover": { id: b.endpoint!, body: { since: 0 } },
      "post /v1/webhook_endpoints/{id}/rotate_secret": { id: b.endpoint!, body: {} },
      "post /v1/webhook_endpoints/{id}/test": { id: b.endpoint!, body: {} },
      "get /v1/events/{id}": { id: b.event! },
      "post /v1/events/{id}/retry": { id: b.event!, body: {} },
      "get /v1/deliveries/{id}": { id: b.delivery! },
      "post /v1/deliveries/{id}/retry": { id: b.delivery! },
    };
    const objectRoutes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith("/v1/") && path.includes("{id}"))
      .flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m} ${path}`));
    // A route a link may use must be in the matrix; any other must be refused before lookup.
    const allowed = objectRoutes.filter((r) => {
      const [method, path] = r.split(" ") as [string, string];
      return portalMay(method.toUpperCase(), fastifyPath(path));
    });
    expect(allowed.filter((r) => !(r in matrix))).toEqual([]);

    const before = await snapshotB();
    const asA = as(portalA);
    for (const route of objectRoutes) {
      const [method, path] = route.split(" ") as [string, string];
      const { id, body } = matrix[route] ?? { id: b.endpoint!, body: undefined };
      const answer = await asA(method.toUpperCase(), path.replace("{id}", id), body);
      expect(answer.status, route).toBe(allowed.includes(route) ? 404 : 403);
    }
    expect(await snapshotB()).toEqual(before);
  });

  it("may look after its endpoints and retry, but not send events, delete, or use root routes", async () => {
    const asA = as(portalA);
    const created = await asA("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["invoice.*"],
    });
    expect(created.status).toBe(200);
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id;
    for (const [method, path, body] of [
      ["PATCH", `/v1/webhook_endpoints/${id}`, { disabled: true }],
      ["POST", `/v1/webhook_endpoints/${id}`, { disabled: false, description: "mine" }],
      ["POST", `/v1/webhook_endpoints/${id}/rotate_secret`, {}],
      ["POST", `/v1/webhook_endpoints/${a.endpoint}/recover`, { since: 0 }],
      ["GET", `/v1/webhook_endpoints/${a.endpoint}/health`, undefined],
      ["POST", `/v1/deliveries/${a.delivery}/retry`, undefined],
      ["POST", `/v1/events/${a.event}/retry`, {}],
      ["GET", "/v1/event_types", undefined],
      ["GET", `/v1/stats?endpoint=${a.endpoint}`, undefined],
    ] as const) {
      const answer = await asA(method, path, body);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(200);
    }
    for (const [method, path, body] of [
      ["POST", "/v1/events", { type: "invoice.paid", data: { object: {} } }],
      ["DELETE", `/v1/webhook_endpoints/${id}`, undefined],
      ["POST", "/v1/listen_sessions", { name: "x", enabled_events: ["*"] }],
      ["GET", "/v1/tenants", undefined],
      ["GET", `/v1/tenants/${a.tenant}`, undefined],
      ["POST", "/v1/api_keys", { tenant: a.tenant }],
      ["GET", "/v1/api_keys", undefined],
    ] as const) {
      const answer = await asA(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.error).toMatchObject({
        type: "permission_error",
        code: "permission_denied",
      });
    }
    expect((await root(a.tenant!)("GET", `/v1/webhook_endpoints/${id}`)).status).toBe(200);
    // An API key has no portal session.
    expect((await server.api("GET", "/v1/portal_session")).status).toBe(403);
  });

  it("lists only routes the server serves", async () => {
    const document = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as Doc;
    const served = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((m) => `${m.toUpperCase()} ${fastifyPath(path)}`),
    );
    const reachable = served.filter((r) => portalMay(...(r.split(" ") as [string, string])));
    expect(reachable).toContain("GET /v1/stream");
    expect(reachable).toContain("GET /v1/portal_session");
    expect(reachable.length).toBe(21);
  });

  it("stops working when it expires, with a message that says so", async () => {
    const start = now;
    try {
      const token = (
        await server.api("POST", `/v1/tenants/${a.tenant}/portal_links`, { expires_in: 60 })
      ).body.token;
      now = start + 59_000;
      expect((await as(token)("GET", "/v1/events")).status).toBe(200);
      now = Math.floor(start / 1000) * 1000 + 60_000;
      const expired = await as(token)("GET", "/v1/events");
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toMatch(
        /^This portal link expired at .*: ask for a new link\.$/,
      );
      now = start + 2 * HOUR;
      expect((await as(portalA)("GET", "/v1/events")).status).toBe(401);
    } finally {
      now = start;
    }
  });

  it("refuses a tampered or foreign token", async () => {
    const [payload, signature] = portalA.slice(4).split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, t: b.tenant })).toString("base64url");
    const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    const otherSecret = signPortalToken(randomBytes(32), {
      tenantId: a.tenant!,
      expiresAt: now + HOUR,
    });
    // The same 32 bytes spelled differently: base64url's last character of 43 carries 2 unused
    // bits, which a decode-then-compare check ignored.
    const last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(
      signature.at(-1)!,
    );
    const respelled = `${signature.slice(0, -1)}${"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last ^ 1]}`;
    expect(Buffer.from(respelled, "base64url")).toEqual(Buffer.from(signature, "base64url"));
    for (const token of [
      `plt_${forged}.${signature}`,
      `plt_${payload}.${flipped}`,
      `plt_${payload}.${respelled}`,
      `plt_${payload}.${signature.slice(0, 20)}`,
      `plt_${payload}`,
      "plt_garbage",
      otherSecret,
    ]) {
      const answer = await as(token)("GET", "/v1/events");
      expect(answer.status, token).toBe(401);
      expect(answer.body.error.message).toBe("Invalid portal link.");
    }
  });

  it("stops a deleted tenant's links at once", async () => {
    await server.api("POST", "/v1/tenants", { id: "tn_initech", name: "Initech" });
    const token = (await server.api("POST", "/v1/tenants/tn_initech/portal_links", {})).body.token;
    expect((await as(token)("GET", "/v1/events")).status).toBe(200);
    expect((await server.api("DELETE", "/v1/tenants/tn_initech")).body.deleted).toBe(true);
    const refused = await as(token)("GET", "/v1/events");
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe("This portal link's tenant no longer exists.");
  });
});

describe("the portal links' signing secret", () => {
  it("is sealed at rest and survives a restart, so links keep working", async () => {
    const first = await startTestServer();
    const config = first.config;
    let second: Awaited<ReturnType<typeof startServer>> | undefined;
    let firstRunning = true;
    try {
      await first.api("POST", "/v1/tenants", { id: "tn_acme", name: "Acme" });
      const token = (await first.api("POST", "/v1/tenants/tn_acme/portal_links", {})).body.token;
      const stored = storedSettings(config.database)[PORTAL_SECRET_SETTING];
      expect(stored).toMatch(/^enc:v1:/);
      await first.close(2000);
      firstRunning = false;
      second = await startServer(config, { logger: false });
      const answer = await fetch(`${second.url}/v1/portal_session`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status).toBe(200);
    } finally {
      await second?.close(2000);
      if (firstRunning) await first.close(2000);
      rmSync(dirname(config.database), { recursive: true, force: true });
    }
  });

  it("rate-limits a tenant's links together, like a key", async () => {
    const now = Date.now();
    const server = await startTestServer({ HOOKLINE_API_RATE_LIMIT: "2" }, { clock: () => now });
    try {
      await server.api("POST", "/v1/tenants", { id: "tn_acme", name: "Acme" });
      const mint = async () =>
        (await server.api("POST", "/v1/tenants/tn_acme/portal_links", {})).body.token as string;
      const tokens = [await mint(), await mint()];
      const statuses: number[] = [];
      for (const token of [...tokens, ...tokens]) {
        const answer = await fetch(`${server.url}/v1/events`, {
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(answer.status);
      }
      expect(statuses).toEqual([200, 200, 429, 429]);
    } finally {
      await server.stop();
    }
  });
});
