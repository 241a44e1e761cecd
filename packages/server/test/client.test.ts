import { Hookline, HooklineApiError } from "@hookline/webhooks/client";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { API_KEY, startTestServer, type TestServer, waitFor } from "./support/server.ts";

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document and API answers as JSON
type Json = any;

interface Exchange {
  method: string;
  path: string;
  status: number;
  body: Json;
}

/** The documented operation a request path matches (`/v1/events/evt_1` → `/v1/events/{id}`). */
function documented(doc: Json, method: string, path: string) {
  // A literal segment wins over a parameter (`/v1/events/batch` over `/v1/events/{id}`).
  if (doc.paths[path] !== undefined) return doc.paths[path][method.toLowerCase()];
  for (const [template, operations] of Object.entries<Json>(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (pattern.test(path)) return operations[method.toLowerCase()];
  }
  return undefined;
}

/** Records every request the client makes and the answer it got. */
function recordingFetch(exchanges: Exchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const text = await response.clone().text();
    exchanges.push({
      method: init?.method ?? "GET",
      path: url.pathname,
      status: response.status,
      body: text === "" ? undefined : JSON.parse(text),
    });
    return response;
  };
}

/** Wraps each namespace so the test knows which client methods it called. */
function tracked<T extends object>(name: string, api: T, called: Set<string>): T {
  return new Proxy(api, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        called.add(`${name}.${String(key)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("the typed client against a real server and its OpenAPI document", () => {
  let server: TestServer;
  let doc: Json;
  const exchanges: Exchange[] = [];
  const called = new Set<string>();
  let client: Hookline;
  let raw: Hookline;
  beforeAll(async () => {
    server = await startTestServer();
    doc = await (await fetch(`${server.url}/v1/openapi.json`)).json();
    raw = new Hookline({ url: server.url, apiKey: API_KEY, fetch: recordingFetch(exchanges) });
    client = {
      endpoints: tracked("endpoints", raw.endpoints, called),
      events: tracked("events", raw.events, called),
      deliveries: tracked("deliveries", raw.deliveries, called),
      tenants: tracked("tenants", raw.tenants, called),
      apiKeys: tracked("apiKeys", raw.apiKeys, called),
    } as Hookline;
  });
  afterAll(async () => {
    await server.stop();
  });

  it("calls every method, each a documented operation, each answer valid against its schema", async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = await client.endpoints.create({ url: receiver.url, enabled_events: ["*"] });
      expect(endpoint.secret).toMatch(/^whsec_/);
      expect((await client.endpoints.retrieve(endpoint.id)).url).toBe(receiver.url);
      expect((await client.endpoints.list({ limit: 5 })).data[0]!.id).toBe(endpoint.id);
      expect(
        (await client.endpoints.update(endpoint.id, { description: "orders" })).description,
      ).toBe("orders");
      const rotated = await client.endpoints.rotateSecret(endpoint.id, { expires_in: 0 });
      expect(rotated.secret).not.toBe(endpoint.secret);
      expect((await client.endpoints.health(endpoint.id)).endpoint).toBe(endpoint.id);
      expect((await client.endpoints.recover(endpoint.id, { since: 0 })).requeued).toBe(0);
      const withHeaders = await client.endpoints.update(endpoint.id, {
        headers: { "X-Team": "billing" },
        filter: { "data.object.id": { $ne: "in_never" } },
      });
      expect(withHeaders.headers).toEqual({ "X-Team": "********" });
      const tested = await client.endpoints.test(endpoint.id, { type: "invoice.paid" });
      expect(tested).toMatchObject({ succeeded: true, event: { type: "invoice.paid" } });
      await waitFor(() => receiver.received.length === 1);
      receiver.received.length = 0;
      const match = await client.endpoints.filterTest({
        filter: { type: { $in: ["invoice.paid"] } },
        event: { type: "invoice.paid" },
      });
      expect(match.matches).toBe(true);

      const event = await client.events.create({
        type: "invoice.paid",
        data: { object: { id: "in_1" } },
      });
      expect(event).toMatchObject({ object: "event", type: "invoice.paid", pending_webhooks: 1 });
      const many = await client.events.createMany(
        [event, { type: "bad type", data: { object: {} } }, event].map((e, i) => ({
          type: e.type,
          data: { object: { id: `in_${i + 2}` } },
        })),
        { chunkSize: 2 },
      );
      expect(many.map((r) => ("error" in r ? r.error.param : r.object))).toEqual([
        "event",
        "events[1].type",
        "event",
      ]);
      await waitFor(() => receiver.received.length === 3);
      expect((await client.events.retrieve(event.id)).id).toBe(event.id);
      expect((await client.events.list({ type: "invoice.*" })).data).toHaveLength(3);
      const deliveries = await client.deliveries.list({ event: event.id });
      const delivery = deliveries.data[0]!;
      await waitFor(
        async () => (await client.deliveries.retrieve(delivery.id)).status === "succeeded",
      );
      expect((await client.deliveries.retrieve(delivery.id)).attempts).toHaveLength(1);
      expect((await client.deliveries.retry(delivery.id)).id).toBe(delivery.id);
      await waitFor(() => receiver.received.length === 4);
      await waitFor(
        async () => (await client.deliveries.retrieve(delivery.id)).status === "succeeded",
      );
      expect((await client.events.retry(event.id)).data.map((d) => d.id)).toEqual([delivery.id]);
      await waitFor(() => receiver.received.length === 5);
      expect(await client.endpoints.delete(endpoint.id)).toEqual({
        id: endpoint.id,
        object: "webhook_endpoint",
        deleted: true,
      });
      // Tenants and their keys, then a client acting on the new tenant through the root key.
      const tenant = await client.tenants.create({ id: "tn_acme", name: "Acme" });
      expect(tenant).toMatchObject({ id: "tn_acme", object: "tenant" });
      expect((await client.tenants.retrieve("tn_acme")).name).toBe("Acme");
      expect((await client.tenants.update("tn_acme", { name: "Acme Inc" })).name).toBe("Acme Inc");
      expect((await client.tenants.list()).data.map((t) => t.id)).toContain("tn_acme");
      const link = await client.tenants.createPortalLink("tn_acme", { expires_in: "10m" });
      expect(link.url).toContain("/portal#token=plt_");
      const key = await client.apiKeys.create({ tenant: "tn_acme", name: "ci" });
      expect(key.key).toMatch(/^hk_/);
      expect((await client.apiKeys.list({ tenant: "tn_acme" })).data[0]!.id).toBe(key.id);
      const scoped = new Hookline({ url: server.url, apiKey: API_KEY, tenant: "tn_acme" });
      const own = await scoped.endpoints.create({ url: receiver.url, enabled_events: ["*"] });
      expect((await client.endpoints.list()).data.map((e) => e.id)).not.toContain(own.id);
      await scoped.endpoints.delete(own.id);
      expect((await client.apiKeys.revoke(key.id)).revoked).toBeTypeOf("number");
      expect(await client.tenants.delete("tn_acme")).toEqual({
        id: "tn_acme",
        object: "tenant",
        deleted: true,
      });
    } finally {
      await receiver.close();
    }

    const every = Object.entries(raw).flatMap(([ns, api]) =>
      Object.keys(api as object).map((method) => `${ns}.${method}`),
    );
    expect([...called].sort()).toEqual(every.sort());

    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(doc, "openapi");
    expect(exchanges.length).toBeGreaterThan(every.length);
    for (const exchange of exchanges) {
      const name = `${exchange.method} ${exchange.path} → ${exchange.status}`;
      const operation = documented(doc, exchange.method, exchange.path);
      expect(operation, `${name}: undocumented`).toBeDefined();
      const schema = operation.responses[exchange.status]?.content["application/json"].schema;
      expect(schema, `${name}: status undocumented`).toBeDefined();
      const validate = ajv.compile(
        JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')),
      );
      expect(validate(exchange.body), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    // The check can fail: an endpoint without its fields is not an endpoint.
    const endpointSchema = ajv.compile({ $ref: "openapi#/components/schemas/WebhookEndpoint" });
    expect(endpointSchema({ id: "we_1", object: "webhook_endpoint" })).toBe(false);
  });

  it("walks every page of a list with for await, and an awaited list is one page", async () => {
    for (let i = 0; i < 23; i++) {
      await client.events.create({ type: "customer.updated", data: { object: { i } } });
    }
    const before = exchanges.length;
    const seen: string[] = [];
    for await (const event of client.events.list({ type: "customer.updated", limit: 10 })) {
      seen.push(event.id);
    }
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    expect(exchanges.slice(before).map((e) => e.path)).toEqual(Array(3).fill("/v1/events"));
    const page = await client.events.list({ type: "customer.updated", limit: 10 });
    expect(page).toMatchObject({ object: "list", has_more: true });
    expect(page.data).toHaveLength(10);
  });

  it("throws typed errors carrying type, code, message, param, status and request id", async () => {
    const invalid = await client.endpoints
      .create({ url: "ftp://example.com", enabled_events: ["*"] })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(HooklineApiError);
    expect(invalid).toMatchObject({
      type: "invalid_request_error",
      code: "parameter_invalid",
      param: "url",
      status: 400,
    });
    expect((invalid as HooklineApiError).requestId).toMatch(/^req_/);
    expect((invalid as HooklineApiError).message).toMatch(/scheme/);
    const missing = await client.deliveries.retrieve("dlv_missing").catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "resource_missing", status: 404 });
    const locked = new Hookline({ url: server.url, apiKey: "hk_wrong_key_0123456789" });
    await expect(locked.events.list()).rejects.toMatchObject({
      type: "authentication_error",
      code: "api_key_invalid",
      status: 401,
    });
    // Refused input changed nothing.
    expect((await client.endpoints.list()).data).toHaveLength(0);
  });

  it("sends an Idempotency-Key with creates: the same key answers the same object once", async () => {
    const key = "order-42-paid";
    const first = await client.events.create(
      { type: "order.paid", data: { object: { id: "o_42" } } },
      { idempotencyKey: key },
    );
    const again = await client.events.create(
      { type: "order.paid", data: { object: { id: "o_42" } } },
      { idempotencyKey: key },
    );
    expect(again.id).toBe(first.id);
    expect(first.request?.idempotency_key).toBe(key);
    const generated = await client.events.create({ type: "order.paid", data: { object: {} } });
    expect(generated.request?.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    const conflict = await client.events
      .create({ type: "order.paid", data: { object: { id: "other" } } }, { idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(conflict).toMatchObject({ code: "idempotency_key_in_use", status: 409 });
  });
});
