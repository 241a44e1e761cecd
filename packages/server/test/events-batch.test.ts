import { verify } from "@hookline/webhooks";
import { afterEach, describe, expect, it } from "vitest";
import { fixtureOf } from "../src/catalog/catalog.ts";
import { newScenario } from "../src/catalog/scenario.ts";
import { startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// POST /v1/events/batch over real HTTP on a real SQLite file: every item is answered in order,
// a bad item refuses only itself and writes nothing, an accepted one is delivered exactly as if
// it had been posted alone, and what concerns the whole request refuses all of it.

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let secret: string;

async function start(env: Record<string, string> = {}) {
  server = await startTestServer(env);
  receiver = await startReceiver();
  const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
    url: receiver.url,
    enabled_events: ["*"],
  });
  secret = endpoint.body.secret;
}
afterEach(async () => {
  await receiver.close();
  await server.stop();
});

const event = (n: number, extra: Record<string, unknown> = {}) => ({
  type: "invoice.paid",
  data: { object: { id: `in_${n}` } },
  ...extra,
});

const batch = (events: unknown[], headers?: Record<string, string>) =>
  server.api("POST", "/v1/events/batch", { events }, headers);

async function storedEvents(): Promise<string[]> {
  const list = await server.api("GET", "/v1/events?limit=100");
  return list.body.data.map((e: { id: string }) => e.id).sort();
}

const errorOf = (code: string, param: string, type = "invalid_request_error") => ({
  error: { type, code, message: expect.stringMatching(/\S/), param },
});

describe("POST /v1/events/batch", () => {
  it("accepts every good item in order, and delivers each exactly as a single create would", async () => {
    await start();
    const response = await batch([event(1), event(2), event(3)]);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ object: "list", has_more: false });
    const ids = response.body.data.map((e: { id: string }) => e.id);
    expect(
      response.body.data.map((e: { data: { object: { id: string } } }) => e.data.object.id),
    ).toEqual(["in_1", "in_2", "in_3"]);
    await waitFor(() => receiver.received.length >= 3, 10_000, "three deliveries");
    for (const [i, id] of ids.entries()) {
      const received = receiver.received.find((r) => r.headers["webhook-id"] === id)!;
      // The bytes sent are the bytes the answer carried, and they verify under the endpoint's secret.
      expect(JSON.parse(received.body)).toEqual(response.body.data[i]);
      expect(verify(received.body, received.headers, secret).id).toBe(id);
    }
    const single = await server.api("POST", "/v1/events", event(4));
    expect(Object.keys(single.body)).toEqual(Object.keys(response.body.data[0]));
    expect(await storedEvents()).toEqual([...ids, single.body.id].sort());
  });

  it("refuses a bad item alone, with its position as param, and writes nothing for it", async () => {
    await start();
    const response = await batch([
      event(1),
      { type: "not a type!", data: { object: {} } },
      { type: "invoice.paid" },
      "an event",
      event(5, { colour: "red" }),
      { type: "invoice.paid", data: { object: "in_6" } },
      event(7, { idempotency_key: "" }),
      event(8),
    ]);
    expect(response.status).toBe(200);
    const data = response.body.data;
    expect(data).toHaveLength(8);
    expect(data[1]).toEqual(errorOf("parameter_invalid", "events[1].type"));
    expect(data[2]).toEqual(errorOf("parameter_missing", "events[2].data"));
    expect(data[3]).toEqual(errorOf("parameter_invalid", "events[3]"));
    expect(data[4]).toEqual(errorOf("parameter_unknown", "events[4].colour"));
    expect(data[5]).toEqual(errorOf("parameter_invalid", "events[5].data[object]"));
    expect(data[6]).toEqual(errorOf("parameter_invalid", "events[6].idempotency_key"));
    expect([data[0].object, data[7].object]).toEqual(["event", "event"]);
    expect(await storedEvents()).toEqual([data[0].id, data[7].id].sort());
    await waitFor(() => receiver.received.length >= 2, 10_000, "two deliveries");
    const deliveries = await server.api("GET", "/v1/deliveries?limit=100");
    expect(deliveries.body.data).toHaveLength(2);
  });

  it("refuses a strict server's events of unknown types or misfit objects item by item", async () => {
    await start({ HOOKLINE_STRICT_EVENT_TYPES: "true" });
    const paid = fixtureOf("payment_intent.succeeded", newScenario({ now: 1_767_225_600 }))!;
    const response = await batch([
      { type: "order.shipped", data: { object: { id: "o_1" } } },
      { type: "payment_intent.succeeded", data: { object: { ...paid.object, amount: -5 } } },
      { type: "payment_intent.succeeded", data: paid },
    ]);
    expect(response.body.data[0]).toEqual(errorOf("parameter_invalid", "events[0].type"));
    expect(response.body.data[1]).toEqual(
      errorOf("parameter_invalid", "events[1].data[object][amount]"),
    );
    expect(await storedEvents()).toEqual([response.body.data[2].id]);
  });

  it("refuses the whole request when it has too many events, too large a body or no events, and writes nothing", async () => {
    await start({ HOOKLINE_MAX_BATCH_EVENTS: "3", HOOKLINE_MAX_BATCH_BYTES: "4096" });
    const tooMany = await batch([event(1), event(2), event(3), event(4)]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual(errorOf("parameter_invalid", "events"));
    const big = { type: "invoice.paid", data: { object: { blob: "x".repeat(5000) } } };
    const tooLarge = await batch([big]);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe("payload_too_large");
    expect((await batch([])).body).toEqual(errorOf("parameter_invalid", "events"));
    expect((await server.api("POST", "/v1/events/batch", {})).body).toEqual(
      errorOf("parameter_missing", "events"),
    );
    expect((await server.api("POST", "/v1/events/batch", { events: [], x: 1 })).body).toEqual(
      errorOf("parameter_unknown", "x"),
    );
    expect(
      (
        await server.api(
          "POST",
          "/v1/events/batch",
          { events: [event(1)] },
          { "idempotency-key": "" },
        )
      ).status,
    ).toBe(400);
    expect(await storedEvents()).toEqual([]);
    // Within the limits the same server accepts.
    expect((await batch([event(1), event(2), event(3)])).status).toBe(200);
  });

  it("replays a request sent again with its Idempotency-Key, and refuses the key with another body", async () => {
    await start();
    const headers = { "idempotency-key": "billing-run-7" };
    const first = await batch([event(1), { type: "bad type" }, event(3)], headers);
    const again = await batch([event(1), { type: "bad type" }, event(3)], headers);
    expect(again.status).toBe(200);
    expect(again.body.data.map((e: { id?: string }) => e.id)).toEqual(
      first.body.data.map((e: { id?: string }) => e.id),
    );
    expect(again.body.data[1]).toEqual(errorOf("parameter_missing", "events[1].data"));
    expect(first.body.data[0].request.idempotency_key).toBe("billing-run-7");
    const other = await batch([event(1), event(9)], headers);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({
      type: "idempotency_error",
      code: "idempotency_key_in_use",
    });
    expect(await storedEvents()).toEqual([first.body.data[0].id, first.body.data[2].id].sort());
  });

  it("keeps an item's own key as a single create keeps its Idempotency-Key: one event through either route", async () => {
    await start();
    const single = await server.api("POST", "/v1/events", event(1), {
      "idempotency-key": "in_1-paid",
    });
    const response = await batch([
      event(1, { idempotency_key: "in_1-paid" }),
      event(2, { idempotency_key: "in_1-paid" }),
      event(3, { idempotency_key: "in_3-paid" }),
    ]);
    expect(response.body.data[0].id).toBe(single.body.id);
    expect(response.body.data[1]).toEqual(
      errorOf("idempotency_key_in_use", "events[1].idempotency_key", "idempotency_error"),
    );
    expect(response.body.data[2].request.idempotency_key).toBe("in_3-paid");
    const retried = await server.api("POST", "/v1/events", event(3), {
      "idempotency-key": "in_3-paid",
    });
    expect(retried.body.id).toBe(response.body.data[2].id);
    expect(await storedEvents()).toEqual([single.body.id, response.body.data[2].id].sort());
  });
});

describe("POST /v1/events/batch with ordering keys", () => {
  it("takes an item's ordering_key as a single create does, defaults it to data.object.id, and refuses a bad one alone", async () => {
    await start();
    const response = await batch([
      event(1, { ordering_key: "cus_7" }),
      event(2),
      event(3, { ordering_key: null }),
      event(4, { ordering_key: "" }),
    ]);
    expect(response.status).toBe(200);
    const [given, defaulted, none, bad] = response.body.data;
    expect(given.ordering_key).toBe("cus_7");
    expect(defaulted.ordering_key).toBe("in_2");
    expect(none.ordering_key).toBeNull();
    expect(bad).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(bad.error.param).toMatch(/^events\[3\]/);
    expect(await storedEvents()).toHaveLength(3);
  });
});
