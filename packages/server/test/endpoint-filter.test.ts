import { afterEach, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { expectError, invalid } from "./support/refusals.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

const BIG_PAYMENTS = { "data.object.amount": { $gte: 1000 }, "data.object.currency": "eur" };

describe("payload filters on an endpoint", () => {
  let server: TestServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
    server = undefined;
  });

  const payment = (id: string, amount: number, currency = "eur") => ({
    type: "payment_intent.succeeded",
    data: { object: { id, object: "payment_intent", amount, currency } },
  });

  it("give a delivery only for events they match, on single and batch ingest", async () => {
    server = await startTestServer();
    const filtered = await startReceiver();
    const everything = await startReceiver();
    closers.push(filtered.close, everything.close);
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: filtered.url,
      enabled_events: ["payment_intent.*"],
      filter: BIG_PAYMENTS,
    });
    expect(created.status).toBe(200);
    expect(created.body.filter).toEqual(BIG_PAYMENTS);
    await server.api("POST", "/v1/webhook_endpoints", {
      url: everything.url,
      enabled_events: ["*"],
    });

    const small = await server.api("POST", "/v1/events", payment("pi_small", 500));
    const big = await server.api("POST", "/v1/events", payment("pi_big", 5000));
    expect([small.status, big.status]).toEqual([200, 200]);
    // The filtered endpoint is not counted among those the event is owed to.
    expect(small.body.pending_webhooks).toBe(1);
    expect(big.body.pending_webhooks).toBe(2);
    const batch = await server.api("POST", "/v1/events/batch", {
      events: [payment("pi_b1", 1000), payment("pi_b2", 999), payment("pi_b3", 2000, "usd")],
    });
    expect(batch.status).toBe(200);

    await waitFor(() => everything.received.length === 5, 10_000, "every event at the other");
    await waitFor(() => filtered.received.length === 2, 10_000, "the two that match");
    const ids = filtered.received.map((r) => JSON.parse(r.body).data.object.id).sort();
    expect(ids).toEqual(["pi_b1", "pi_big"]);
    // No delivery row either: the rejected events are not owed to the endpoint at all.
    const rows = await server.api("GET", `/v1/deliveries?endpoint=${created.body.id}&limit=100`);
    expect(rows.body.data).toHaveLength(2);

    // Removing the filter lets everything through again.
    const cleared = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}`, {
      filter: null,
    });
    expect(cleared.body.filter).toBeNull();
    await server.api("POST", "/v1/events", payment("pi_tiny", 1));
    await waitFor(() => filtered.received.length === 3, 10_000, "the unfiltered one");
  });

  it("refuse unknown or unsafe operators and malformed queries with the offending path, writing nothing", async () => {
    server = await startTestServer();
    const s = server;
    const refused: [unknown, string][] = [
      [{ type: { $regex: "^pay" } }, "filter.type.$regex"],
      [{ $where: "this.type === 'x'" }, "filter.$where"],
      [{ "data.object.amount": { $gt: 1, $foo: 2 } }, "filter.data.object.amount.$foo"],
      [
        { $or: [{ type: "a" }, { "data.object": { $elemMatch: {} } }] },
        "filter.$or[1].data.object.$elemMatch",
      ],
      [{ $or: [] }, "filter.$or"],
      [{ $and: "x" }, "filter.$and"],
      [{ type: { $in: "a" } }, "filter.type.$in"],
      [{ type: { $exists: "yes" } }, "filter.type.$exists"],
      [{ type: { $gt: { a: 1 } } }, "filter.type.$gt"],
      [{ type: { $not: "a" } }, "filter.type.$not"],
      [{ type: { $eq: "a", other: 1 } }, "filter.type"],
      [{ "data..amount": 1 }, "filter.data..amount"],
      [{ big: "x".repeat(9000) }, "filter"],
    ];
    for (const [filter, param] of refused) {
      const answer = await s.api("POST", "/v1/webhook_endpoints", {
        url: "https://example.com/hooks",
        enabled_events: ["*"],
        filter,
      });
      expectError(answer, invalid(param));
      const tested = await s.api("POST", "/v1/webhook_endpoints/filter_test", {
        filter,
        event: { type: "x" },
      });
      expectError(tested, invalid(param));
    }
    expect((await s.api("GET", "/v1/webhook_endpoints")).body.data).toEqual([]);

    const ok = await s.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
      filter: { type: "a" },
    });
    const update = await s.api("POST", `/v1/webhook_endpoints/${ok.body.id}`, {
      url: "https://example.com/other",
      filter: { type: { $regex: "b" } },
    });
    expectError(update, invalid("filter.type.$regex"));
    const after = await s.api("GET", `/v1/webhook_endpoints/${ok.body.id}`);
    expect(after.body.url).toBe("https://example.com/hooks");
    expect(after.body.filter).toEqual({ type: "a" });
  });

  it("filter_test answers whether a filter matches an event, with every allowed operator", async () => {
    server = await startTestServer();
    const event = {
      id: "evt_1",
      type: "invoice.paid",
      data: { object: { amount_paid: 4200, currency: "eur", customer: "cus_1", lines: 3 } },
    };
    const cases: [Record<string, unknown>, boolean][] = [
      [{ type: "invoice.paid" }, true],
      [{ type: { $eq: "invoice.paid" } }, true],
      [{ type: { $ne: "invoice.paid" } }, false],
      [{ "data.object.currency": { $in: ["usd", "eur"] } }, true],
      [{ "data.object.currency": { $nin: ["usd", "eur"] } }, false],
      [{ "data.object.amount_paid": { $gt: 4200 } }, false],
      [{ "data.object.amount_paid": { $gte: 4200, $lt: 5000 } }, true],
      [{ "data.object.lines": { $lte: 2 } }, false],
      [{ "data.object.discount": { $exists: false } }, true],
      [{ "data.object.amount_paid": { $not: { $gt: 100 } } }, false],
      [{ $or: [{ type: "x" }, { "data.object.customer": "cus_1" }] }, true],
      [{ $and: [{ type: "invoice.paid" }, { "data.object.currency": "usd" }] }, false],
    ];
    for (const [filter, matches] of cases) {
      const answer = await server.api("POST", "/v1/webhook_endpoints/filter_test", {
        filter,
        event,
      });
      expect({ filter, answer: answer.body }).toEqual({
        filter,
        answer: { object: "webhook_endpoint_filter_test", matches },
      });
    }
    expectError(
      await server.api("POST", "/v1/webhook_endpoints/filter_test", { filter: { type: "x" } }),
      { status: 400, code: "parameter_missing", param: "event" },
    );
  });
});
