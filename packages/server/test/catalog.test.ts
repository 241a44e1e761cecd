import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES, fixtureOf } from "../src/catalog/catalog.ts";
import { FLOWS } from "../src/catalog/flows.ts";
import { newScenario } from "../src/catalog/scenario.ts";
import { checkEventObject } from "../src/catalog/validate.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const s = newScenario({ now: 1_767_225_600 });

describe("the event catalog", () => {
  it("has at least 30 types across payments, billing, disputes and customers, each fixture valid against its JSON Schema", () => {
    const types = Object.keys(EVENT_TYPES);
    expect(types.length).toBeGreaterThanOrEqual(30);
    for (const prefix of [
      "payment_intent.",
      "charge.",
      "refund.",
      "invoice.",
      "customer.subscription.",
      "charge.dispute.",
      "customer.",
      "payment_method.",
    ]) {
      expect(
        types.some((t) => t.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    const mismatches = types.flatMap((type) => {
      const mismatch = checkEventObject(type, fixtureOf(type, s)!.object);
      return mismatch === undefined ? [] : [`${type}: ${mismatch.message}`];
    });
    expect(mismatches).toEqual([]);
  });

  it("tells every flow with catalog types whose objects fit their schemas and share one cast", () => {
    expect(Object.keys(FLOWS).length).toBeGreaterThanOrEqual(8);
    for (const [name, flow] of Object.entries(FLOWS)) {
      for (const step of flow.steps) {
        const data = step.data?.(s) ?? fixtureOf(step.type, s)!;
        expect(checkEventObject(step.type, data.object), `${name} ${step.type}`).toBeUndefined();
      }
    }
    const [created, charge, succeeded] = FLOWS["payment-succeeded"]!.steps.map(
      (step) => fixtureOf(step.type, s)!.object,
    );
    expect(charge).toMatchObject({ payment_intent: created!.id, status: "succeeded" });
    expect(succeeded).toMatchObject({ id: created!.id, latest_charge: charge!.id });
    const renewal = FLOWS["renewal-failed"]!.steps.map((step) => step.type);
    expect(renewal[0]).toBe("invoice.created");
    expect(renewal.slice(-2)).toEqual(["invoice.payment_failed", "customer.subscription.updated"]);
    expect(FLOWS["renewal-failed"]!.steps.at(-1)!.data!(s).object).toMatchObject({
      status: "past_due",
    });
  });

  it("names the field at fault when an object does not fit its schema", () => {
    const charge = fixtureOf("charge.succeeded", s)!.object;
    expect(checkEventObject("charge.succeeded", { ...charge, amount: "20.00" })).toEqual({
      param: "data[object][amount]",
      message: "Invalid data[object][amount] for charge.succeeded: it must be integer.",
    });
    const { currency: _, ...noCurrency } = charge;
    expect(checkEventObject("charge.succeeded", noCurrency)?.param).toBe("data[object][currency]");
    expect(checkEventObject("charge.succeeded", { ...charge, status: "ok" })?.param).toBe(
      "data[object][status]",
    );
    expect(checkEventObject("order.shipped", {})?.param).toBe("type");
  });
});

describe("GET /v1/event_types, subscription warnings and --strict-event-types", () => {
  let server: TestServer;
  let strict: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    strict = await startTestServer({ HOOKLINE_STRICT_EVENT_TYPES: "true" });
  });
  afterAll(async () => {
    await server.stop();
    await strict.stop();
  });

  it("lists every type with its description and schema, and retrieves one with an example", async () => {
    const list = await server.api("GET", "/v1/event_types");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ object: "list", has_more: false, url: "/v1/event_types" });
    expect(list.body.data).toHaveLength(Object.keys(EVENT_TYPES).length);
    const paid = list.body.data.find((t: { name: string }) => t.name === "invoice.paid");
    expect(paid).toMatchObject({ object: "event_type", description: expect.any(String) });
    expect(paid.schema).toMatchObject({
      type: "object",
      required: expect.arrayContaining(["amount_paid"]),
    });

    const one = await server.api("GET", "/v1/event_types/charge.dispute.closed");
    expect(one.status).toBe(200);
    expect(one.body.example.object).toMatchObject({ object: "dispute", status: "lost" });
    expect(checkEventObject("charge.dispute.closed", one.body.example.object)).toBeUndefined();

    const missing = await server.api("GET", "/v1/event_types/invoice.payed");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "resource_missing", param: "type" });
    const anonymous = await fetch(`${server.url}/v1/event_types`);
    expect(anonymous.status).toBe(401);
  });

  it("creates and updates an endpoint subscribed to unknown exact types, with a warning for each", async () => {
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: [
        "invoice.payed",
        "invoice.*",
        "charge.succeeded",
        "hookline.endpoint.failing",
        "order.shipped",
      ],
    });
    expect(created.status).toBe(200);
    expect(created.body.warnings).toEqual([
      "enabled_events[0]: 'invoice.payed' is not in the event catalog (GET /v1/event_types); did you mean 'invoice.paid'?",
      "enabled_events[4]: 'order.shipped' is not in the event catalog (GET /v1/event_types).",
    ]);
    const id = created.body.id;
    const renamed = await server.api("POST", `/v1/webhook_endpoints/${id}`, { description: "x" });
    expect(renamed.body.warnings).toBeUndefined();
    const updated = await server.api("POST", `/v1/webhook_endpoints/${id}`, {
      enabled_events: ["charge.refundd"],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.warnings).toEqual([
      expect.stringContaining("did you mean 'charge.refunded'?"),
    ]);
    const clean = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
    });
    expect(clean.body).not.toHaveProperty("warnings");
  });

  it("refuses, when strict, an unknown type or an object that misfits its schema, writing nothing", async () => {
    const receiverless = await strict.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
    });
    expect(receiverless.status).toBe(200);
    const unknown = await strict.api("POST", "/v1/events", {
      type: "order.shipped",
      data: { object: { id: "o_1" } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "parameter_invalid",
      param: "type",
    });
    const object = { ...fixtureOf("payment_intent.succeeded", s)!.object, amount: -5 };
    const bad = await strict.api("POST", "/v1/events", {
      type: "payment_intent.succeeded",
      data: { object },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ param: "data[object][amount]" });
    expect(bad.body.error.message).toMatch(/payment_intent\.succeeded/);
    expect((await strict.api("GET", "/v1/events")).body.data).toEqual([]);
    expect((await strict.api("GET", "/v1/deliveries")).body.data).toEqual([]);

    const good = await strict.api("POST", "/v1/events", {
      type: "payment_intent.succeeded",
      data: fixtureOf("payment_intent.succeeded", s),
    });
    expect(good.status).toBe(200);
    const lax = await server.api("POST", "/v1/events", {
      type: "order.shipped",
      data: { object: { id: "o_1" } },
    });
    expect(lax.status).toBe(200);
  });
});
