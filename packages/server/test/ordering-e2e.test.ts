import { afterEach, describe, expect, it } from "vitest";
import { type Received, startReceiver } from "./support/receiver.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Ordered delivery per key over real HTTP (docs/ordering.md): a per_key endpoint receives each
// object's events one at a time and in creation order, while other objects go in parallel.

const FAST = { HOOKLINE_RETRY_SCHEDULE: "30ms,30ms", HOOKLINE_DELIVERY_TIMEOUT: "2s" };

/** `Hookline-Sequence: <key>:<n>` → [key, n]. */
function parseSequence(r: Received): [string, number] {
  const header = r.headers["hookline-sequence"] as string;
  const colon = header.lastIndexOf(":");
  return [decodeURIComponent(header.slice(0, colon)), Number(header.slice(colon + 1))];
}

describe("ordered delivery per key, end to end", () => {
  let server: TestServer;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server.stop();
  });

  it("delivers each object's events one at a time in creation order through failures, other objects in parallel", async () => {
    server = await startTestServer(FAST);
    const open = new Map<string, number>();
    let overlaps = 0;
    let concurrent = 0;
    let peak = 0;
    const tried = new Set<string>();
    const answered: number[] = [];
    const receiver = await startReceiver((r, index) => {
      const [key, n] = parseSequence(r);
      const slot = `${key}:${n}`;
      if (open.has(key)) overlaps++;
      open.set(key, n);
      concurrent++;
      peak = Math.max(peak, concurrent);
      // Every third event fails its first attempt; each answer takes a while, so keys overlap.
      const fails = n % 3 === 1 && !tried.has(slot);
      tried.add(slot);
      setTimeout(() => {
        open.delete(key);
        concurrent--;
      }, 14);
      answered[index] = fails ? 500 : 200;
      return { status: answered[index]!, delayMs: 15 };
    });
    cleanups.push(receiver.close);
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["customer.*"],
      ordering: "per_key",
    });
    expect(endpoint.body.ordering).toBe("per_key");

    const customers = 8;
    const perCustomer = 6;
    for (let i = 0; i < perCustomer; i++) {
      await Promise.all(
        Array.from({ length: customers }, (_, c) =>
          server.api("POST", "/v1/events", {
            type: "customer.updated",
            data: { object: { id: `cus_${c}`, version: i } },
          }),
        ),
      );
    }
    const ok = () => receiver.received.filter((_, i) => answered[i] === 200);
    await waitFor(() => ok().length === customers * perCustomer, 20_000, "every event received");
    expect(overlaps).toBe(0);
    // Different customers went at once.
    expect(peak).toBeGreaterThan(1);
    const byKey = new Map<string, number[]>();
    for (const r of ok()) {
      const [key, n] = parseSequence(r);
      byKey.set(key, [...(byKey.get(key) ?? []), n]);
      const body = JSON.parse(r.body) as {
        ordering_key: string;
        data: { object: { version: number } };
      };
      expect(body.ordering_key).toBe(key);
      expect(body.data.object.version).toBe(n - 1);
    }
    expect(byKey.size).toBe(customers);
    for (const sequence of byKey.values()) {
      expect(sequence).toEqual(Array.from({ length: perCustomer }, (_, i) => i + 1));
    }
    const deliveries = await server.api(
      "GET",
      `/v1/deliveries?endpoint=${endpoint.body.id}&limit=1`,
    );
    expect(deliveries.body.data[0]).toMatchObject({ ordering_key: "cus_7", sequence: perCustomer });
  }, 30_000);

  it("skips a key's exhausted head and goes on, with a hookline.delivery.exhausted event", async () => {
    server = await startTestServer(FAST);
    const receiver = await startReceiver((r) => {
      const body = JSON.parse(r.body) as { type: string; data: { object: { bad?: boolean } } };
      return { status: body.data.object.bad === true ? 500 : 200 };
    });
    cleanups.push(receiver.close);
    await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["invoice.*"],
      ordering: "per_key",
    });
    const watcher = await startReceiver();
    cleanups.push(watcher.close);
    await server.api("POST", "/v1/webhook_endpoints", {
      url: watcher.url,
      enabled_events: ["hookline.delivery.exhausted"],
    });
    await server.api("POST", "/v1/events", {
      type: "invoice.created",
      data: { object: { id: "in_1", bad: true } },
    });
    const second = await server.api("POST", "/v1/events", {
      type: "invoice.paid",
      data: { object: { id: "in_1" } },
    });
    expect(second.body.ordering_key).toBe("in_1");
    await waitFor(() => receiver.received.some((r) => r.headers["hookline-sequence"] === "in_1:2"));
    const attempts = receiver.received.map((r) => r.headers["hookline-sequence"]);
    // The head's three attempts (one and two retries), then the next.
    expect(attempts).toEqual(["in_1:1", "in_1:1", "in_1:1", "in_1:2"]);
    await waitFor(() => watcher.received.length === 1);
    expect(JSON.parse(watcher.received[0]!.body).type).toBe("hookline.delivery.exhausted");
  }, 20_000);

  it("holds a key behind its exhausted head on a hold endpoint until the delivery is retried, other keys going on", async () => {
    server = await startTestServer(FAST);
    let healed = false;
    const receiver = await startReceiver((r) => {
      const body = JSON.parse(r.body) as { data: { object: { bad?: boolean } } };
      return { status: body.data.object.bad === true && !healed ? 500 : 200 };
    });
    cleanups.push(receiver.close);
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["invoice.*"],
      ordering: "per_key",
      ordering_on_exhausted: "hold",
    });
    expect(endpoint.body.ordering_on_exhausted).toBe("hold");
    const invoice = (id: string, bad = false) =>
      server.api("POST", "/v1/events", {
        type: "invoice.updated",
        data: { object: { id, bad } },
      });
    await invoice("in_1", true);
    await invoice("in_1");
    const sequences = () => receiver.received.map((r) => r.headers["hookline-sequence"]);
    const deliveries = async (status: string) =>
      (await server.api("GET", `/v1/deliveries?endpoint=${endpoint.body.id}&status=${status}`)).body
        .data as { id: string; ordering_key: string; sequence: number }[];
    await waitFor(
      async () => (await deliveries("failed")).length === 1,
      10_000,
      "the head to exhaust",
    );
    // A later event of another key goes through while in_1 is held.
    await invoice("in_2");
    await waitFor(() => sequences().includes("in_2:1"));
    expect(sequences()).toEqual(["in_1:1", "in_1:1", "in_1:1", "in_2:1"]);
    expect(await deliveries("pending")).toMatchObject([{ ordering_key: "in_1", sequence: 2 }]);

    healed = true;
    const [head] = await deliveries("failed");
    const retried = await server.api("POST", `/v1/deliveries/${head!.id}/retry`);
    expect(retried.status).toBe(200);
    await waitFor(() => sequences().includes("in_1:2"));
    expect(sequences().slice(4)).toEqual(["in_1:1", "in_1:2"]);
  }, 20_000);

  it("takes an explicit ordering_key, or none with null; an unordered endpoint gets no sequence", async () => {
    server = await startTestServer(FAST);
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const plain = await startReceiver();
    cleanups.push(plain.close);
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
      ordering: "per_key",
    });
    await server.api("POST", "/v1/webhook_endpoints", { url: plain.url, enabled_events: ["*"] });
    const keyed = await server.api("POST", "/v1/events", {
      type: "order.shipped",
      data: { object: { id: "ord_1" } },
      ordering_key: "tenant 7/orders",
    });
    expect(keyed.body.ordering_key).toBe("tenant 7/orders");
    const unkeyed = await server.api("POST", "/v1/events", {
      type: "order.shipped",
      data: { object: { id: "ord_2" } },
      ordering_key: null,
    });
    expect(unkeyed.body.ordering_key).toBeNull();
    expect((await server.api("GET", `/v1/events/${keyed.body.id}`)).body.ordering_key).toBe(
      "tenant 7/orders",
    );
    await waitFor(() => receiver.received.length === 2 && plain.received.length === 2);
    const header = (r: Received) => r.headers["hookline-sequence"];
    const sent = receiver.received.find((r) => JSON.parse(r.body).id === keyed.body.id)!;
    expect(header(sent)).toBe("tenant%207%2Forders:1");
    const other = receiver.received.find((r) => JSON.parse(r.body).id === unkeyed.body.id)!;
    expect(header(other)).toBeUndefined();
    expect(plain.received.map(header)).toEqual([undefined, undefined]);
    const off = await server.api("POST", `/v1/webhook_endpoints/${endpoint.body.id}`, {
      ordering: "none",
    });
    expect(off.body.ordering).toBe("none");
  });
});
