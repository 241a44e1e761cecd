import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callAs } from "./support/call-as.ts";
import { startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Tenancy: tenant-scoped keys reach only their tenant. The isolation matrix walks every route
// of the OpenAPI document that names an object, with tenant A's key and tenant B's object.

describe("tenants and tenant-scoped API keys", () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let keyA: string;
  let keyB: string;
  const b: Record<string, string> = {};

  const as = (key: string, headers: Record<string, string> = {}) =>
    callAs(server.url, key, headers);

  /** Tenant B as the root key sees it, for before/after comparisons. */
  const snapshotB = async () => {
    const root = as("hk_test_root_key_0123456789", { "hookline-tenant": b.tenant! });
    const endpoint = (await root("GET", `/v1/webhook_endpoints/${b.endpoint}`)).body;
    const delivery = (await root("GET", `/v1/deliveries/${b.delivery}`)).body;
    const events = (await root("GET", "/v1/events?limit=100")).body.data.map(
      (e: { id: string }) => e.id,
    );
    return { endpoint, delivery, events, received: receiver.received.length };
  };

  beforeAll(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const root = (method: string, path: string, body?: unknown) => server.api(method, path, body);
    const tenantA = await root("POST", "/v1/tenants", { name: "Acme" });
    const tenantB = await root("POST", "/v1/tenants", { id: "tn_globex", name: "Globex" });
    expect(tenantB.body).toMatchObject({ id: "tn_globex", object: "tenant", name: "Globex" });
    keyA = (await root("POST", "/v1/api_keys", { tenant: tenantA.body.id, name: "a" })).body.key;
    const created = await root("POST", "/v1/api_keys", { tenant: "tn_globex" });
    expect(created.body).toMatchObject({ object: "api_key", tenant: "tn_globex", revoked: null });
    keyB = created.body.key;
    b.tenant = "tn_globex";
    const asB = as(keyB);
    b.endpoint = (
      await asB("POST", "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] })
    ).body.id;
    b.event = (
      await asB("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } })
    ).body.id;
    await waitFor(() => receiver.received.length === 1);
    b.delivery = (await asB("GET", `/v1/deliveries?event=${b.event}`)).body.data[0].id;
    b.apiKey = created.body.id;
    // A listen session of B's for the listen routes of the matrix; it subscribes to nothing sent.
    b.listen = (
      await asB("POST", "/v1/listen_sessions", { name: "b", enabled_events: ["never.sent"] })
    ).body.id;
  });
  afterAll(async () => {
    await receiver.close();
    await server.stop();
  });

  it("keeps each tenant's objects to itself: B's event went to B's endpoint only", async () => {
    const asA = as(keyA);
    const aEndpoint = await asA("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    expect(aEndpoint.status).toBe(200);
    const lists = await Promise.all(
      [
        "/v1/webhook_endpoints",
        "/v1/events",
        "/v1/deliveries",
        `/v1/deliveries?endpoint=${b.endpoint}`,
      ].map((path) => asA("GET", path)),
    );
    const seen = JSON.stringify(lists.map((l) => l.body));
    for (const id of Object.values(b)) expect(seen.includes(id), id).toBe(false);
    // The default tenant (the root key without a header) sees neither.
    const root = await server.api("GET", "/v1/webhook_endpoints");
    expect(root.body.data).toEqual([]);
    await asA("DELETE", `/v1/webhook_endpoints/${aEndpoint.body.id}`);
  });

  it("answers 404 to every route naming one of B's objects with A's key, and changes nothing", async () => {
    const document = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    // What each object route gets: B's id of the right kind, and a body valid for the route,
    // so that only the tenant check can refuse it.
    const matrix: Record<string, { id: string; body?: unknown }> = {
      "get /v1/webhook_endpoints/{id}": { id: b.endpoint! },
      "post /v1/webhook_endpoints/{id}": { id: b.endpoint!, body: { description: "x" } },
      "patch /v1/webhook_endpoints/{id}": { id: b.endpoint!, body: { disabled: true } },
      "delete /v1/webhook_endpoints/{id}": { id: b.endpoint! },
      "get /v1/webhook_endpoints/{id}/health": { id: b.endpoint! },
      "post /v1/webhook_endpoints/{id}/recover": { id: b.endpoint!, body: { since: 0 } },
      "post /v1/webhook_endpoints/{id}/rotate_secret": { id: b.endpoint!, body: {} },
      "post /v1/webhook_endpoints/{id}/test": { id: b.endpoint!, body: {} },
      "get /v1/events/{id}": { id: b.event! },
      "post /v1/events/{id}/retry": { id: b.event!, body: {} },
      "get /v1/deliveries/{id}": { id: b.delivery! },
      "post /v1/deliveries/{id}/retry": { id: b.delivery! },
      "get /v1/listen_sessions/{id}/stream": { id: b.listen! },
      "post /v1/listen_sessions/{id}/results": {
        id: b.listen!,
        body: { attempt: "a1", status: 200, duration_ms: 1 },
      },
    };
    // Routes for the root key alone: refused with 403 whatever the object.
    const rootOnly = /^\/v1\/(tenants|api_keys|outbox_failures)/; // outbox: 403 to tenant keys (outbox-postgres.test.ts)
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    const objectRoutes = routes.filter((r) => r.includes("{id}") && r.includes(" /v1/"));
    const uncovered = objectRoutes.filter(
      (r) => !(r in matrix) && !rootOnly.test(r.split(" ")[1]!),
    );
    expect(uncovered, "routes to add to the isolation matrix").toEqual([]);

    const before = await snapshotB();
    const asA = as(keyA);
    for (const [route, { id, body }] of Object.entries(matrix)) {
      const [method, path] = route.split(" ") as [string, string];
      const answer = await asA(method.toUpperCase(), path.replace("{id}", id), body);
      expect(answer.status, route).toBe(404);
      expect(answer.body.error, route).toMatchObject({ code: "resource_missing" });
    }
    // A's own event resent to B's endpoint: the endpoint is not A's to name.
    const own = await asA("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    const aimed = await asA("POST", `/v1/events/${own.body.id}/retry`, { endpoint: b.endpoint });
    expect(aimed).toMatchObject({ status: 404, body: { error: { param: "endpoint" } } });
    expect(await snapshotB()).toEqual(before);
  });

  it("keeps tenant keys off the root routes and out of other tenants' headers", async () => {
    const asA = as(keyA);
    for (const [method, path] of [
      ["GET", "/v1/tenants"],
      ["POST", "/v1/tenants"],
      ["GET", `/v1/tenants/${b.tenant}`],
      ["DELETE", `/v1/tenants/${b.tenant}`],
      ["GET", "/v1/api_keys"],
      ["DELETE", `/v1/api_keys/${b.apiKey}`],
    ] as const) {
      const answer = await asA(method, path, method === "POST" ? { name: "x" } : undefined);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.error.type).toBe("permission_error");
    }
    const header = await as(keyA, { "hookline-tenant": b.tenant! })("GET", "/v1/events");
    expect(header.status).toBe(403);
    const unknown = await server.api("GET", "/v1/events", undefined, {
      "hookline-tenant": "tn_nobody",
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: { param: "hookline-tenant" } } });
  });

  it("stops a revoked key at once, and a deleted tenant's keys with it", async () => {
    const tenant = (await server.api("POST", "/v1/tenants", { name: "Initech" })).body.id;
    const first = (await server.api("POST", "/v1/api_keys", { tenant })).body;
    const second = (await server.api("POST", "/v1/api_keys", { tenant })).body;
    expect((await as(first.key)("GET", "/v1/events")).status).toBe(200);
    const revoked = await server.api("DELETE", `/v1/api_keys/${first.id}`);
    expect(revoked.body.revoked).toBeTypeOf("number");
    expect((await as(first.key)("GET", "/v1/events")).status).toBe(401);
    // Keys are shown once: a list shows their hint, never the key.
    const listed = await server.api("GET", `/v1/api_keys?tenant=${tenant}`);
    expect(JSON.stringify(listed.body)).not.toContain(second.key);
    expect(listed.body.data.map((k: { id: string }) => k.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
    // A tenant with endpoints cannot go; once they are gone, it can, and its keys stop.
    const endpoint = await as(second.key)("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    const refused = await server.api("DELETE", `/v1/tenants/${tenant}`);
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { code: "tenant_has_endpoints" } },
    });
    await as(second.key)("DELETE", `/v1/webhook_endpoints/${endpoint.body.id}`);
    expect((await server.api("DELETE", `/v1/tenants/${tenant}`)).body.deleted).toBe(true);
    expect((await as(second.key)("GET", "/v1/events")).status).toBe(401);
    expect((await server.api("GET", `/v1/tenants/${tenant}`)).status).toBe(404);
  });

  it("refuses bad tenant input with the usual error and writes nothing", async () => {
    const before = (await server.api("GET", "/v1/tenants?limit=100")).body.data.length;
    for (const body of [
      {},
      { name: "" },
      { name: "x", id: "acme" },
      { name: "x", id: "tn_bad-id" },
      { name: "x", extra: 1 },
      { name: 5 },
    ]) {
      const answer = await server.api("POST", "/v1/tenants", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(answer.body.error).sort()).toEqual(
        expect.arrayContaining(["code", "message", "type"]),
      );
    }
    const taken = await server.api("POST", "/v1/tenants", { id: "tn_globex", name: "again" });
    expect(taken).toMatchObject({
      status: 409,
      body: { error: { code: "resource_already_exists" } },
    });
    const noTenant = await server.api("POST", "/v1/api_keys", { tenant: "tn_nobody" });
    expect(noTenant).toMatchObject({ status: 404, body: { error: { param: "tenant" } } });
    const noDefault = await server.api("DELETE", "/v1/tenants/tn_default");
    expect(noDefault.status).toBe(400);
    expect((await server.api("GET", "/v1/tenants?limit=100")).body.data.length).toBe(before);
  });
});
