import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Generative input: thousands of malformed bodies, headers, query strings and ids at every
// route of the OpenAPI document. No answer may be a 5xx, and a refused request changes nothing.

const TABLES = ["tenants", "api_keys", "endpoints", "events", "deliveries", "idempotency_keys"];
// Streams stay open by design: they are fuzzed by their own tests, not here.
const SKIP = /\/stream$/;

describe("fuzzing every route", () => {
  let server: TestServer;
  let db: Database.Database;
  let routes: { method: string; path: string }[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    // Loopback is not allowed: the seeded endpoint's attempts end at once, refused by the guard.
    server = await startTestServer({}, { allowLoopback: false });
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: "http://127.0.0.1:9/hooks",
      enabled_events: ["*"],
    });
    const event = await server.api("POST", "/v1/events", {
      type: "invoice.paid",
      data: { object: { id: "in_1" } },
    });
    const tenant = await server.api("POST", "/v1/tenants", { name: "Acme" });
    ids.push(endpoint.body.id, event.body.id, tenant.body.id, "tn_default");
    // The seeded event's attempt is refused, which ends its delivery and emits
    // hookline.delivery.exhausted (itself refused): let that settle, or a refused request
    // below would see its writes.
    await waitFor(
      async () => {
        const events = (await server.api("GET", "/v1/events?limit=10")).body.data as {
          pending_webhooks: number;
        }[];
        return events.length === 2 && events.every((e) => e.pending_webhooks === 0);
      },
      10_000,
      "the seeded deliveries to end",
    );
    const document = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter(() => !SKIP.test(path))
        .map((method) => ({ method: method.toUpperCase(), path })),
    );
    db = new Database(join(server.config.database), { readonly: true, fileMustExist: true });
  });
  afterAll(async () => {
    db.close();
    await server.stop();
  });

  // Operational events (`hookline.*`) are left out of the events count: an accepted request
  // (a valid POST /v1/events) starts a delivery that the guard refuses, and the
  // `hookline.delivery.exhausted` event that follows is written in the background, after
  // the delivery's outcome commits, so it can land while a later, refused request is in
  // flight. They have their own tests; no route writes one.
  const counts = () =>
    TABLES.map(
      (t) =>
        (
          db
            .prepare(
              `SELECT COUNT(*) AS n FROM ${t}${t === "events" ? " WHERE type NOT LIKE 'hookline.%'" : ""}`,
            )
            .get() as { n: number }
        ).n,
    );

  it("answers every malformed request below 500 and changes nothing when it refuses", async () => {
    // Built here: the seeded ids exist only once beforeAll has run.
    const segment = () =>
      fc.oneof(
        fc.constantFrom(...ids),
        fc.string({ maxLength: 40 }),
        fc.constantFrom("..", "%2e%2e", "%00", "we_", "evt_x", "a".repeat(300), "%ZZ", "😀", " "),
      );
    const query = fc.oneof(
      fc.constant(""),
      fc
        .dictionary(
          fc.constantFrom(
            "limit",
            "starting_after",
            "type",
            "created[gte]",
            "status",
            "x",
            "endpoint",
            "delivery_success",
          ),
          fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("-1", "1e9", "true", "[]", "%")),
          { maxKeys: 3 },
        )
        .map((q) => `?${new URLSearchParams(q).toString()}`),
      fc.string({ maxLength: 30 }).map((s) => `?${s}`),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 60 }),
      fc
        .record(
          {
            url: fc.oneof(fc.string(), fc.constant("http://127.0.0.1:9/x"), fc.integer()),
            enabled_events: fc.oneof(
              fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
              fc.string(),
            ),
            type: fc.oneof(fc.string(), fc.constant("invoice.paid")),
            data: fc.oneof(fc.object({ maxDepth: 2 }), fc.string()),
            since: fc.oneof(fc.integer(), fc.string(), fc.double()),
            name: fc.oneof(fc.string(), fc.integer()),
            rate_limit: fc.oneof(fc.integer(), fc.double(), fc.constant(null)),
            expires_in: fc.oneof(fc.integer(), fc.string({ maxLength: 8 })),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    const contentType = fc.constantFrom(
      undefined,
      "application/json",
      "application/json; charset=utf-16",
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
    );
    const authorization = fc.oneof(
      { weight: 8, arbitrary: fc.constant(`Bearer ${API_KEY}`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
    const extraHeaders = fc.record(
      {
        "idempotency-key": fc.string({ minLength: 1, maxLength: 300 }),
        "hookline-tenant": fc.oneof(
          fc.constantFrom(...ids),
          fc.string({ minLength: 1, maxLength: 30 }),
        ),
      },
      { requiredKeys: [] },
    );
    const request = fc.record({
      route: fc.nat(),
      segments: fc.array(segment(), { minLength: 3, maxLength: 3 }),
      query,
      body,
      contentType,
      authorization,
      extraHeaders,
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const route = routes[r.route % routes.length]!;
        let i = 0;
        const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.segments[i++]!));
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(r.extraHeaders)) {
          // Header values must be sendable at all: fetch refuses control characters itself.
          if (/^[\x20-\x7e]*$/.test(value)) headers[name] = value;
        }
        if (r.authorization !== undefined && /^[\x20-\x7e]*$/.test(r.authorization))
          headers.authorization = r.authorization;
        if (r.contentType !== undefined) headers["content-type"] = r.contentType;
        const sent = route.method === "GET" ? undefined : r.body;
        const before = counts();
        const response = await fetch(`${server.url}${path}${r.query}`, {
          method: route.method,
          headers,
          ...(sent === undefined ? {} : { body: sent }),
        });
        const text = await response.text();
        expect(
          response.status,
          `${route.method} ${path}${r.query} → ${text.slice(0, 200)}`,
        ).toBeLessThan(500);
        if (response.status >= 400 && path.startsWith("/v1/")) {
          const parsed = JSON.parse(text) as {
            error: { type: string; code: string; message: string };
          };
          expect(parsed.error.type).toBeTypeOf("string");
          expect(parsed.error.message).toBeTypeOf("string");
          expect(counts(), `${route.method} ${path} was refused but wrote`).toEqual(before);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 1500) },
    );
    expect(
      (db.pragma("integrity_check") as { integrity_check: string }[])[0]!.integrity_check,
    ).toBe("ok");
  });
});
