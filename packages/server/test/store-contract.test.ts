// One contract, every store: each behaviour below is what the SQLite store does, and the
// PostgreSQL store must do the same. Details only one dialect has stay in its own tests.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LADDER, type LadderPolicy } from "../src/domain/health-ladder.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import type { ClaimedDelivery, Store } from "../src/store/types.ts";
import { freshDatabase } from "./support/postgres.ts";
import { factories, type Opened } from "./support/store-factories.ts";
import { endpointRow, eventRows, outcome, TENANT } from "./support/store-rows.ts";

const T0 = 1_750_000_000_000;
const LEASE = { leaseUntil: T0 + 60_000, owner: "node-a", excludeEndpoints: [], perEndpoint: 32 };
const claimAll = (store: Store, now = T0, more: Partial<Parameters<Store["claimDue"]>[0]> = {}) =>
  store.claimDue({ now, limit: 100, ...LEASE, leaseUntil: now + 60_000, ...more });

describe.each(factories)("the $name store", ({ open }) => {
  let store: Store;
  let opened: Opened;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => opened.cleanup());

  it("answers ping, keeps settings and reports its schema at the latest migration", async () => {
    expect(await store.ping()).toBe(true);
    expect(await store.getSetting("k")).toBeUndefined();
    await store.setSetting("k", "1");
    await store.setSetting("k", "2");
    expect(await store.getSetting("k")).toBe("2");
    const version = await store.schemaVersion();
    expect(version.applied).toBe(version.latest);
    expect(version.latest).toBeGreaterThanOrEqual(2);
  });

  it("creates an endpoint once per idempotency key: replays the same request, refuses another, and a deleted one's key is taken over", async () => {
    const key = { tenantId: TENANT, key: "k1", operation: "endpoints.create", requestHash: "h" };
    const first = endpointRow(T0);
    expect(await store.createEndpoint(first, key)).toEqual({ kind: "created", endpoint: first });
    const replay = await store.createEndpoint(endpointRow(T0 + 1), key);
    expect(replay).toEqual({ kind: "replayed", endpoint: first });
    expect(await store.createEndpoint(endpointRow(T0 + 2), { ...key, requestHash: "x" })).toEqual({
      kind: "conflict",
    });
    expect(await store.deleteEndpoint(TENANT, first.id, T0 + 3)).toBe(true);
    const next = endpointRow(T0 + 4);
    expect((await store.createEndpoint(next, key)).kind).toBe("created");
    expect(await store.getEndpoint(TENANT, next.id)).toEqual(next);
    expect(await store.getEndpoint("tn_other", next.id)).toBeUndefined();
  });

  it("keeps an endpoint's custom headers and payload filter, and hands the headers to the claim", async () => {
    const filter = { "data.object.amount": { $gte: 1000 }, $or: [{ type: "charge.succeeded" }] };
    const plain = endpointRow(T0);
    const auth = JSON.stringify({ type: "basic", username: "u", password: "p" });
    const tls = { tlsClientCert: "-----BEGIN CERTIFICATE-----…", tlsClientKey: "sealed-key" };
    const withOptions = endpointRow(T0 + 1, {
      headers: { "X-Team": "billing" },
      filter,
      auth,
      ...tls,
    });
    for (const e of [plain, withOptions]) await store.createEndpoint(e);
    expect(await store.getEndpoint(TENANT, withOptions.id)).toEqual(withOptions);
    expect(await store.getEndpoint(TENANT, plain.id)).toEqual(plain);
    const changed = { ...withOptions, headers: { "X-Region": "eu" }, filter: null };
    await store.updateEndpoint(changed, T0 + 2);
    expect((await store.tenantEndpoints(TENANT)).find((e) => e.id === changed.id)).toEqual(changed);
    await store.createEvents([eventRows(T0, [plain.id, withOptions.id])]);
    const claimed = await claimAll(store, T0 + 10);
    const byEndpoint = new Map(claimed.map((d) => [d.endpointId, d]));
    expect(byEndpoint.get(withOptions.id)?.headers).toEqual({ "X-Region": "eu" });
    expect(byEndpoint.get(withOptions.id)?.auth).toBe(auth);
    expect(byEndpoint.get(withOptions.id)?.tlsClient).toEqual({
      cert: tls.tlsClientCert,
      key: tls.tlsClientKey,
    });
    expect(byEndpoint.get(plain.id)?.headers ?? null).toBeNull();
    expect(byEndpoint.get(plain.id)?.tlsClient ?? null).toBeNull();
  });

  it("hands each delivery of a claim across endpoints its own endpoint's url, secrets and options", async () => {
    // Stores may read an endpoint once per claim and share it between its deliveries: a claim
    // that interleaves three endpoints' deliveries must still give each its own.
    const endpoints = [0, 1, 2].map((i) =>
      endpointRow(T0 + i, {
        url: `https://receiver.test/${i}`,
        secret: `whsec_endpoint${i}`,
        headers: i === 1 ? {} : { "X-Endpoint": String(i) },
        rateLimit: i === 2 ? 50 : null,
      }),
    );
    for (const e of endpoints) await store.createEndpoint(e);
    const ids = endpoints.map((e) => e.id);
    await store.createEvents([0, 1, 2, 3].map((n) => eventRows(T0 + n, ids)));
    const claimed = await claimAll(store, T0 + 10);
    expect(claimed).toHaveLength(12);
    for (const d of claimed) {
      const i = ids.indexOf(d.endpointId);
      expect(d.url).toBe(`https://receiver.test/${i}`);
      expect(d.secrets).toEqual([`whsec_endpoint${i}`]);
      expect(d.headers ?? {}).toEqual(i === 1 ? {} : { "X-Endpoint": String(i) });
      expect(d.rateLimit).toBe(i === 2 ? 50 : null);
    }
  });

  it("hands out no delivery whose endpoint is gone, and still claims the others", async () => {
    // Ingest may write a delivery for an endpoint deleted meanwhile (its cache still had it).
    const kept = endpointRow(T0);
    await store.createEndpoint(kept);
    const gone = endpointRow(T0 + 1).id;
    await store.createEvents([0, 1].map((n) => eventRows(T0 + n, [kept.id, gone])));
    const claimed = await claimAll(store, T0 + 10);
    expect(claimed.map((d) => d.endpointId)).toEqual([kept.id, kept.id]);
  });

  it("cancels a claimed delivery whose endpoint is gone, so a run of them cannot hide what is due behind them", async () => {
    const kept = endpointRow(T0);
    await store.createEndpoint(kept);
    const gone = endpointRow(T0 + 1).id;
    // More than a scan's window (four claims' worth) of them, due before the live one.
    await store.createEvents(Array.from({ length: 450 }, (_, n) => eventRows(T0 + n, [gone])));
    await store.createEvents([eventRows(T0 + 1000, [kept.id])]);
    const claimed = [];
    for (let claims = 0; claims < 8 && claimed.length === 0; claims++) {
      claimed.push(...(await claimAll(store, T0 + 2000, { perEndpoint: 100 })));
    }
    expect(claimed.map((d) => d.endpointId)).toEqual([kept.id]);
    for (const status of ["pending", "in_flight"] as const) {
      const open = await store.listDeliveries(TENANT, { endpointId: gone, status, limit: 10 });
      expect({ status, left: open.data.length }).toEqual({ status, left: 0 });
    }
  });

  it("keeps an event's trace context, hands it to the claim, and keeps the traceparent each attempt sent", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const traced = eventRows(T0, [endpoint.id], { traceParent: parent, traceState: "k=v,a=b" });
    const untraced = eventRows(T0 + 1, [endpoint.id]);
    await store.createEvents([traced, untraced]);
    expect(await store.getEvent(TENANT, traced.event.id)).toEqual(traced.event);
    expect((await store.getEvent(TENANT, untraced.event.id))?.traceParent).toBeNull();
    const claimed = await claimAll(store, T0 + 10);
    const byEvent = new Map(claimed.map((d) => [d.eventId, d]));
    expect(byEvent.get(traced.event.id)).toMatchObject({
      traceParent: parent,
      traceState: "k=v,a=b",
    });
    expect(byEvent.get(untraced.event.id)).toMatchObject({ traceParent: null, traceState: null });
    const sent = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";
    const d = byEvent.get(traced.event.id)!;
    await store.recordResults(
      [outcome(d, T0 + 20, { ok: true, traceParent: sent })],
      T0 + 30,
      DEFAULT_LADDER,
    );
    expect((await store.listAttempts(d.id)).map((a) => a.traceParent)).toEqual([sent]);
  });

  it("lists endpoints newest first with cursors both ways, and refuses a cursor from another list", async () => {
    const rows = [0, 1, 2, 3, 4].map((i) => endpointRow(T0 + i));
    for (const row of rows) await store.createEndpoint(row);
    const ids = rows.map((r) => r.id).reverse();
    const page = await store.listEndpoints(TENANT, { limit: 2 });
    expect(page.data.map((e) => e.id)).toEqual(ids.slice(0, 2));
    expect(page.hasMore).toBe(true);
    const after = await store.listEndpoints(TENANT, { limit: 2, startingAfter: ids[1] });
    expect(after.data.map((e) => e.id)).toEqual(ids.slice(2, 4));
    const before = await store.listEndpoints(TENANT, { limit: 2, endingBefore: ids[4] });
    expect(before.data.map((e) => e.id)).toEqual(ids.slice(2, 4));
    await expect(
      store.listEndpoints(TENANT, { limit: 2, startingAfter: "we_nope" }),
    ).rejects.toThrow();
    expect((await store.tenantEndpoints(TENANT)).map((e) => e.id).sort()).toEqual([...ids].sort());
  });

  it("disabling an endpoint skips its pending deliveries; enabling starts its failure ladder over", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents([eventRows(T0, [endpoint.id])]);
    const failing = await claimAll(store);
    await store.recordResults([outcome(failing[0]!, T0, { ok: false })], T0, {
      ...DEFAULT_LADDER,
      failingAfter: 1,
    });
    expect((await store.getEndpoint(TENANT, endpoint.id))?.health.health).toBe("failing");
    const disabled = { ...endpoint, status: "disabled" as const, updatedAt: T0 + 1 };
    expect(await store.updateEndpoint(disabled, T0 + 1)).toEqual({ previousStatus: "enabled" });
    const [delivery] = (await store.listDeliveries(TENANT, { limit: 10 })).data;
    expect(delivery?.status).toBe("skipped");
    expect(await claimAll(store, T0 + 10_000)).toEqual([]);
    await store.updateEndpoint({ ...disabled, status: "enabled", description: "back" }, T0 + 2);
    const enabled = await store.getEndpoint(TENANT, endpoint.id);
    expect(enabled?.description).toBe("back");
    expect(enabled?.health.health).toBe("healthy");
    expect(enabled?.health.consecutiveFailures).toBe(0);
  });

  it("deleting an endpoint cancels its undelivered deliveries and leaves finished ones", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents([eventRows(T0, [endpoint.id]), eventRows(T0, [endpoint.id])]);
    const [done] = await claimAll(store, T0, { limit: 1 });
    await store.recordResults([outcome(done!, T0, { ok: true })], T0, DEFAULT_LADDER);
    expect(await store.deleteEndpoint("tn_other", endpoint.id, T0 + 1)).toBe(false);
    expect(await store.deleteEndpoint(TENANT, endpoint.id, T0 + 1)).toBe(true);
    expect(await store.getEndpoint(TENANT, endpoint.id)).toBeUndefined();
    const statuses = (await store.listDeliveries(TENANT, { limit: 10 })).data.map((d) => d.status);
    expect(statuses.sort()).toEqual(["cancelled", "succeeded"]);
  });

  it("stores events with their deliveries in one transaction: when one row fails, none is kept", async () => {
    const a = eventRows(T0, ["we_a"]);
    const b = eventRows(T0, ["we_a"]);
    b.deliveries[0]!.id = a.deliveries[0]!.id; // a unique violation in the second event
    await expect(store.createEvents([a, b])).rejects.toThrow();
    expect(await store.getEvent(TENANT, a.event.id)).toBeUndefined();
    const c = eventRows(T0, ["we_a", "we_b"]);
    expect(await store.createEvents([c])).toEqual([
      { kind: "created", event: c.event, deliveries: 2 },
    ]);
    expect(await store.getEvent(TENANT, c.event.id)).toEqual(c.event);
    expect(await store.getEvent("tn_other", c.event.id)).toBeUndefined();
  });

  it("answers an event's idempotency key: a replay returns the first event and fans out nothing, another body is a conflict", async () => {
    const first = eventRows(T0, ["we_a"], { key: "order-1" });
    const replay = eventRows(T0 + 1, ["we_a"], { key: "order-1" });
    const other = eventRows(T0 + 2, ["we_a"], { key: "order-1", hash: "hash-2" });
    expect(await store.createEvents([first, replay, other])).toEqual([
      { kind: "created", event: first.event, deliveries: 1 },
      { kind: "replayed", eventId: first.event.id },
      { kind: "conflict" },
    ]);
    expect(await store.getEvent(TENANT, replay.event.id)).toBeUndefined();
    expect((await store.listDeliveries(TENANT, { limit: 10 })).data).toHaveLength(1);
  });

  it("guards a batch with its request's key: the same body goes on, another body refuses the whole batch and writes nothing", async () => {
    const batchKey = (requestHash: string) => ({
      idempotency: { tenantId: TENANT, key: "batch-1", operation: "events.batch", requestHash },
      size: 2,
    });
    const [a, b] = [eventRows(T0, ["we_a"]), eventRows(T0, ["we_a"])];
    a.batch = batchKey("h1");
    const alone = eventRows(T0, ["we_a"]);
    expect(await store.createEvents([a, b, alone])).toEqual([
      { kind: "created", event: a.event, deliveries: 1 },
      { kind: "created", event: b.event, deliveries: 1 },
      { kind: "created", event: alone.event, deliveries: 1 },
    ]);
    const [c, d] = [eventRows(T0 + 1, ["we_a"]), eventRows(T0 + 1, ["we_a"])];
    c.batch = batchKey("h2");
    const after = eventRows(T0 + 1, ["we_a"]);
    expect(await store.createEvents([c, d, after])).toEqual([
      { kind: "conflict", batch: true },
      { kind: "conflict", batch: true },
      { kind: "created", event: after.event, deliveries: 1 },
    ]);
    expect(await store.getEvent(TENANT, c.event.id)).toBeUndefined();
    expect(await store.getEvent(TENANT, d.event.id)).toBeUndefined();
    const [e] = [eventRows(T0 + 2, ["we_a"])];
    e.batch = { ...batchKey("h1"), size: 1 };
    expect(await store.createEvents([e])).toEqual([
      { kind: "created", event: e.event, deliveries: 1 },
    ]);
    expect((await store.listDeliveries(TENANT, { limit: 10 })).data).toHaveLength(5);
  });

  it("lists events by type, type prefix, time and delivery success, and counts pending deliveries", async () => {
    const [a, b] = [endpointRow(T0), endpointRow(T0 + 1)];
    await store.createEndpoint(a);
    await store.createEndpoint(b);
    const paid = eventRows(T0, [a.id], { type: "invoice.paid" });
    const failed = eventRows(T0 + 1000, [a.id], { type: "invoice.payment_failed" });
    const charge = eventRows(T0 + 2000, [a.id, b.id], { type: "charge.succeeded" });
    await store.createEvents([paid, failed, charge]);
    const ids = async (filters: Parameters<Store["listEvents"]>[1]) =>
      (await store.listEvents(TENANT, filters)).data.map((e) => e.id);
    expect(await ids({ limit: 10, type: "invoice.*" })).toEqual([failed.event.id, paid.event.id]);
    expect(await ids({ limit: 10, type: "invoice.paid" })).toEqual([paid.event.id]);
    expect(await ids({ limit: 10, type: "invoice_*" })).toEqual([]);
    expect(await ids({ limit: 10, createdGte: T0 + 1000, createdLte: T0 + 1000 })).toEqual([
      failed.event.id,
    ]);
    const [first] = await claimAll(store, T0 + 3000, { limit: 1 });
    await store.recordResults([outcome(first!, T0 + 3000, { ok: false })], T0, DEFAULT_LADDER);
    expect(await ids({ limit: 10, deliverySuccess: false })).toEqual([first!.eventId]);
    const counts = await store.pendingDeliveryCounts([paid.event.id, charge.event.id, "evt_x"]);
    expect(counts.get(charge.event.id)).toBe(2);
    expect(counts.has("evt_x")).toBe(false);
  });

  it("claims due deliveries under a lease, at most perEndpoint of an endpoint, skipping excluded and disabled endpoints and what is not due", async () => {
    const [a, b, off] = [endpointRow(T0), endpointRow(T0 + 1), endpointRow(T0 + 2)];
    for (const e of [a, b, off]) await store.createEndpoint(e);
    await store.updateEndpoint({ ...off, status: "disabled" }, T0);
    const rows = Array.from({ length: 5 }, (_, i) => eventRows(T0 + i, [a.id, b.id]));
    rows.push(eventRows(T0 + 50_000, [a.id]));
    await store.createEvents(rows);
    // Inserted after the disable: pending, yet never claimed while its endpoint is disabled.
    await store.createEvents([eventRows(T0, [off.id])]);
    const claimed = await claimAll(store, T0 + 10, { perEndpoint: 2, excludeEndpoints: [b.id] });
    expect(claimed.map((d) => d.endpointId)).toEqual([a.id, a.id]);
    const c = claimed[0]!;
    expect(c.url).toBe(a.url);
    expect(c.secrets).toEqual([a.secret]);
    expect(c.payload.toString()).toContain(c.eventId);
    expect(c.eventType).toBe("charge.succeeded");
    const held = await store.getDelivery(TENANT, c.id);
    expect(held).toMatchObject({
      status: "in_flight",
      leaseOwner: "node-a",
      leaseUntil: T0 + 60_010,
    });
    const rest = await claimAll(store, T0 + 10);
    expect(rest).toHaveLength(8); // 3 of a, 5 of b; not the one due later, not the disabled one
    expect(await claimAll(store, T0 + 10)).toEqual([]);
    expect(await store.nextDueAt()).toBe(T0);
  });

  it("claims at most an endpoint's share when the claim names one, perEndpoint for the others", async () => {
    const [a, b] = [endpointRow(T0), endpointRow(T0 + 1)];
    for (const e of [a, b]) await store.createEndpoint(e);
    await store.createEvents(Array.from({ length: 6 }, (_, i) => eventRows(T0 + i, [a.id, b.id])));
    const claimed = await claimAll(store, T0 + 10, { perEndpoint: 4, shares: { [a.id]: 1 } });
    const count = (id: string) => claimed.filter((d) => d.endpointId === id).length;
    expect([count(a.id), count(b.id)]).toEqual([1, 4]);
    const rest = await claimAll(store, T0 + 10, { perEndpoint: 100, shares: { [a.id]: 100 } });
    expect(rest.map((d) => d.endpointId).sort()).toEqual(
      [...Array(5).fill(a.id), b.id, b.id].sort(),
    );
  });

  it("without a scan claims only the named endpoints, oldest due first, within the limit, skipping a disabled one", async () => {
    const [a, b, off] = [endpointRow(T0), endpointRow(T0 + 1), endpointRow(T0 + 2)];
    for (const e of [a, b, off]) await store.createEndpoint(e);
    await store.createEvents(
      Array.from({ length: 6 }, (_, i) => eventRows(T0 + 5 - i, [a.id, b.id, off.id])),
    );
    await store.updateEndpoint({ ...off, status: "disabled" }, T0);
    const only = { scan: false, perEndpoint: 100 };
    const claimed = await claimAll(store, T0 + 10, { ...only, shares: { [a.id]: 4, [off.id]: 4 } });
    expect(claimed.map((d) => d.endpointId)).toEqual(Array(4).fill(a.id));
    const due = claimed.map((d) => d.eventId);
    const events = await Promise.all(due.map((id) => store.getEvent(TENANT, id)));
    const created = events.map((e) => e!.createdAt);
    expect(created).toEqual([...created].sort((x, y) => x - y));
    expect(created[0]).toBe(T0);
    const capped = await claimAll(store, T0 + 10, {
      ...only,
      limit: 3,
      shares: { [a.id]: 10, [b.id]: 10 },
    });
    // The oldest due of the named endpoints' shares, up to the limit.
    expect(capped.map((d) => d.endpointId)).toEqual([b.id, b.id, b.id]);
    expect(await claimAll(store, T0 + 10, { ...only, shares: {} })).toEqual([]);
  });
  it("claims a named endpoint's due retries before its backlog of first attempts, and returns them first", async () => {
    const [a, b] = [endpointRow(T0), endpointRow(T0 + 1)];
    for (const e of [a, b]) await store.createEndpoint(e);
    await store.createEvents(Array.from({ length: 3 }, (_, i) => eventRows(T0 + i, [a.id])));
    const [failed, notYet] = await claimAll(store, T0 + 10, { limit: 2 });
    await store.recordResults(
      [
        outcome(failed!, T0 + 20, { ok: false, nextAttemptAt: T0 + 1000 }),
        outcome(notYet!, T0 + 20, { ok: false, nextAttemptAt: T0 + 9000 }),
      ],
      T0 + 20,
      DEFAULT_LADDER,
    );
    // A backlog of first attempts, all due before the retry.
    await store.createEvents(Array.from({ length: 6 }, (_, i) => eventRows(T0 + 100 + i, [a.id])));
    await store.createEvents([eventRows(T0 + 50, [b.id])]);
    const named = { scan: false, perEndpoint: 100 };
    const two = await claimAll(store, T0 + 2000, { ...named, shares: { [a.id]: 2 } });
    expect(two.map((d) => [d.id, d.attemptCount])).toEqual([
      [failed!.id, 1],
      [expect.any(String), 0],
    ]);
    // With when its last attempt was made (the breaker's take-back reads it); none for the other.
    expect(two.map((d) => d.lastAttemptAt)).toEqual([T0 + 20, null]);
    const events = await Promise.all(two.map((d) => store.getEvent(TENANT, d.eventId)));
    // The first attempt is the oldest one due: the third event, made before the backlog.
    expect(events[1]!.createdAt).toBe(T0 + 2);
    // Within the limit the retry comes first, then the oldest due of both parts: b's scanned
    // one, made before a's backlog.
    await store.recordResults(
      [outcome(two[0]!, T0 + 2100, { ok: false, nextAttemptAt: T0 + 3000 })],
      T0 + 2100,
      DEFAULT_LADDER,
    );
    const next = await claimAll(store, T0 + 4000, { limit: 2, shares: { [a.id]: 5 } });
    expect(next.map((d) => [d.id, d.attemptCount])).toEqual([
      [failed!.id, 2],
      [expect.any(String), 0],
    ]);
    expect(next[1]!.endpointId).toBe(b.id);
    // The retry not yet due stays where it is.
    const rest = await claimAll(store, T0 + 4000, { perEndpoint: 100, shares: { [a.id]: 100 } });
    expect(rest.map((d) => d.id)).not.toContain(notYet!.id);
    expect(rest.map((d) => d.endpointId)).toEqual(Array(6).fill(a.id)); // a's whole backlog
  });

  it("records outcomes in one go: attempts, delivery states and each endpoint's ladder steps", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents([1, 2, 3].map((i) => eventRows(T0 + i, [endpoint.id])));
    const ladder: LadderPolicy = { ...DEFAULT_LADDER, failingAfter: 2 };
    const claimed = await claimAll(store, T0 + 10);
    const changes = await store.recordResults(
      [
        outcome(claimed[0]!, T0 + 20, { ok: false }),
        outcome(claimed[1]!, T0 + 21, { ok: false, nextAttemptAt: null }),
        outcome(claimed[2]!, T0 + 22, { ok: true }),
      ],
      T0 + 30,
      ladder,
    );
    expect(changes.map((c) => c.transition)).toEqual(["failing", "recovered"]);
    const retried = await store.getDelivery(TENANT, claimed[0]!.id);
    expect(retried).toMatchObject({
      status: "pending",
      attemptCount: 1,
      nextAttemptAt: T0 + 5020,
      lastStatusCode: 500,
      leaseOwner: null,
    });
    expect(retried?.lastError).toContain("http_status");
    expect((await store.getDelivery(TENANT, claimed[1]!.id))?.status).toBe("failed");
    expect((await store.getDelivery(TENANT, claimed[2]!.id))?.status).toBe("succeeded");
    const attempts = await store.listAttempts(claimed[0]!.id);
    expect(attempts).toEqual(
      [outcome(claimed[0]!, T0 + 20, { ok: false }).attempt].map((a) => ({
        ...a,
        id: attempts[0]!.id,
      })),
    );
    expect((await store.getEndpoint(TENANT, endpoint.id))?.health).toMatchObject({
      health: "healthy",
      lastSuccessAt: T0 + 34,
    });
  });

  it("disables an endpoint that answered 410 Gone and skips its pending deliveries, even a retry recorded in the same batch", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents([1, 2, 3].map((i) => eventRows(T0 + i, [endpoint.id])));
    const [retry, gone] = await claimAll(store, T0 + 10, { limit: 2 });
    const changes = await store.recordResults(
      [
        outcome(retry!, T0 + 20, { ok: false }),
        outcome(gone!, T0 + 21, { ok: false, status: 410, nextAttemptAt: null, gone: true }),
      ],
      T0 + 30,
      DEFAULT_LADDER,
    );
    expect(changes).toEqual([
      expect.objectContaining({ transition: "disabled", reason: expect.stringContaining("410") }),
    ]);
    const after = await store.getEndpoint(TENANT, endpoint.id);
    expect(after?.status).toBe("disabled");
    const statuses = (await store.listDeliveries(TENANT, { limit: 10 })).data.map((d) => d.status);
    expect(statuses.sort()).toEqual(["failed", "skipped", "skipped"]);
  });

  it("gives deliveries back: by id to their owner, every lease of an owner, expired leases, and an endpoint's backlog deferred", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents(Array.from({ length: 4 }, () => eventRows(T0, [endpoint.id])));
    const [one, two, three, four] = await claimAll(store, T0);
    expect(await store.releaseDeliveries([one!.id], "node-b", T0 + 500, T0)).toBe(0);
    expect(await store.releaseDeliveries([one!.id], "node-a", T0 + 500, T0)).toBe(1);
    expect(await store.getDelivery(TENANT, one!.id)).toMatchObject({
      status: "pending",
      nextAttemptAt: T0 + 500,
      attemptCount: 0,
    });
    expect(await store.deferEndpoint(endpoint.id, T0 + 9000, T0)).toBe(1);
    expect((await store.getDelivery(TENANT, one!.id))?.nextAttemptAt).toBe(T0 + 9000);
    expect(await store.reclaimExpired(T0 + 60_000)).toBe(0); // lease ends at T0 + 60,000
    expect(await store.reclaimExpired(T0 + 60_001)).toBe(3);
    expect(await store.nextDueAt()).toBe(T0 + 9000); // the deferred one
    await claimAll(store, T0 + 60_001);
    // With a lease end far away: every lease, live or not (a restart of the only process).
    expect(await store.reclaimExpired(T0 + 60_002, Number.MAX_SAFE_INTEGER)).toBe(4);
    await claimAll(store, T0 + 60_002, { owner: "node-b" });
    expect(await store.releaseLeases("node-a", T0 + 60_003)).toBe(0);
    expect(await store.releaseLeases("node-b", T0 + 60_003)).toBe(4);
    for (const d of [two, three, four]) {
      expect((await store.getDelivery(TENANT, d!.id))?.status).toBe("pending");
    }
  });

  it("finishes a delivery only under the lease its attempt ran under, and records the attempt either way", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents([eventRows(T0, [endpoint.id])]);
    const [mine] = await claimAll(store, T0);
    // node-a stalls past its lease; node-b reclaims the delivery and claims it again.
    expect(await store.reclaimExpired(T0 + 60_001)).toBe(1);
    const [theirs] = await claimAll(store, T0 + 60_001, { owner: "node-b" });
    expect(theirs!.id).toBe(mine!.id);
    const late = { ...outcome(mine!, T0 + 60_002, { ok: false }), leaseOwner: "node-a" };
    await store.recordResults([late], T0 + 60_002, DEFAULT_LADDER);
    expect(await store.getDelivery(TENANT, mine!.id)).toMatchObject({
      status: "in_flight",
      attemptCount: 0,
    });
    const done = { ...outcome(theirs!, T0 + 60_003, { ok: true }), leaseOwner: "node-b" };
    await store.recordResults([done], T0 + 60_003, DEFAULT_LADDER);
    expect(await store.getDelivery(TENANT, mine!.id)).toMatchObject({
      status: "succeeded",
      attemptCount: 1,
    });
    expect((await store.listAttempts(mine!.id)).map((a) => a.statusCode)).toEqual([500, 200]);
  });

  it("retries a delivery, recovers an endpoint's failed and skipped ones, and resends an event, leaving what is in flight alone", async () => {
    const [a, b] = [endpointRow(T0), endpointRow(T0 + 1)];
    await store.createEndpoint(a);
    await store.createEndpoint(b);
    const event = eventRows(T0, [a.id]);
    await store.createEvents([event, eventRows(T0 + 5, [a.id])]);
    const claimed = await claimAll(store, T0 + 10);
    const [first, second] = [
      claimed.find((d) => d.eventId === event.event.id)!,
      claimed.find((d) => d.eventId !== event.event.id)!,
    ];
    await store.recordResults(
      [outcome(first, T0 + 20, { ok: false, nextAttemptAt: null })],
      T0 + 20,
      DEFAULT_LADDER,
    );
    expect((await store.retryDelivery(TENANT, second.id, T0 + 30))?.status).toBe("in_flight");
    expect(await store.retryDelivery("tn_other", first.id, T0 + 30)).toBeUndefined();
    expect(
      await store.recoverDeliveries({
        tenantId: TENANT,
        endpointId: a.id,
        since: T0,
        until: T0 + 1,
        now: T0 + 40,
      }),
    ).toBe(1);
    expect(await store.getDelivery(TENANT, first.id)).toMatchObject({
      status: "pending",
      nextAttemptAt: T0 + 40,
    });
    await claimAll(store, T0 + 50);
    const resent = await store.retryEvent({
      tenantId: TENANT,
      eventId: event.event.id,
      endpointId: b.id,
      newDeliveryId: "dlv_new0000000000000000000000",
      now: T0 + 60,
    });
    expect(resent).toEqual([
      expect.objectContaining({
        id: "dlv_new0000000000000000000000",
        endpointId: b.id,
        status: "pending",
      }),
    ]);
    const all = await store.retryEvent({
      tenantId: TENANT,
      eventId: event.event.id,
      endpointId: undefined,
      newDeliveryId: "dlv_unused",
      now: T0 + 70,
    });
    expect(all.map((d) => d.status).sort()).toEqual(["in_flight", "pending"]);
    expect(
      await store.retryEvent({
        tenantId: TENANT,
        eventId: "evt_none",
        endpointId: undefined,
        newDeliveryId: "dlv_x",
        now: T0,
      }),
    ).toEqual([]);
  });

  it("reports an endpoint's recent attempts and open deliveries, and the queue for /metrics", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents(Array.from({ length: 3 }, () => eventRows(T0, [endpoint.id])));
    await store.createEvents([eventRows(T0 + 100_000, [endpoint.id])]);
    const [x, y] = await claimAll(store, T0 + 10, { limit: 2 });
    await store.recordResults(
      [outcome(x!, T0 + 20, { ok: true }), outcome(y!, T0 + 30, { ok: false })],
      T0 + 40,
      DEFAULT_LADDER,
    );
    const activity = await store.endpointActivity(endpoint.id, T0, 10);
    expect(activity.attempts).toEqual([
      { ok: false, durationMs: 12 },
      { ok: true, durationMs: 12 },
    ]);
    expect(activity.deliveries).toEqual({ pending: 3, inFlight: 0, failed: 0, skipped: 0 });
    expect(await store.endpointActivity(endpoint.id, T0 + 25, 10)).toMatchObject({
      attempts: [{ ok: false }],
    });
    await claimAll(store, T0 + 50, { limit: 1 });
    expect(await store.stats(T0 + 50)).toEqual({
      dueDeliveries: 0,
      scheduledDeliveries: 2,
      inFlightDeliveries: 1,
      oldestDueAt: null,
      endpointsByState: { healthy: 1 },
    });
    expect((await store.stats(T0 + 200_000)).oldestDueAt).toBe(T0 + 5030);
  });

  it("prunes finished events older than the cutoff in batches, with their deliveries, attempts and keys, and keeps open ones", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint, {
      tenantId: TENANT,
      key: "ek",
      operation: "endpoints.create",
      requestHash: "h",
    });
    const old = [1, 2, 3].map((i) => eventRows(T0 + i, [endpoint.id], { key: `k${i}` }));
    await store.createEvents(old);
    const recent = eventRows(T0 + 100_000, [endpoint.id]);
    await store.createEvents([recent]);
    const claimed = await claimAll(store, T0 + 10, { limit: 2 });
    await store.recordResults(
      claimed.map((d) => outcome(d, T0 + 20, { ok: true })),
      T0 + 20,
      DEFAULT_LADDER,
    );
    const first = await store.pruneBefore(T0 + 50_000, { limit: 2 });
    expect(first).toMatchObject({ events: 2, deliveries: 2, attempts: 2, idempotencyKeys: 3 });
    expect(first.next).toBeDefined();
    const second = await store.pruneBefore(T0 + 50_000, { limit: 2, after: first.next });
    expect(second).toMatchObject({ events: 0, next: undefined });
    expect(await store.getEvent(TENANT, old[2]!.event.id)).toBeDefined(); // still pending
    expect(await store.getEvent(TENANT, recent.event.id)).toBeDefined();
    expect(await store.getEvent(TENANT, old[0]!.event.id)).toBeUndefined();
  });

  it("reseals stored secrets that the sealing function rewrites, and only those", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    const reseal = (s: string) => (s.startsWith("sealed:") ? undefined : `sealed:${s}`);
    expect(await store.resealSecrets?.(reseal)).toBe(1);
    expect(await store.resealSecrets?.(reseal)).toBe(0);
    expect((await store.getEndpoint(TENANT, endpoint.id))?.secret).toBe(
      `sealed:${endpoint.secret}`,
    );
    // Custom header values are secrets too.
    const withHeaders = endpointRow(T0 + 1, {
      headers: { "X-Key": "sealed:k", "X-Team": "t" },
      auth: "{}",
      tlsClientCert: "cert",
      tlsClientKey: "key",
    });
    await store.createEndpoint(withHeaders);
    expect(await store.resealSecrets?.(reseal)).toBe(1);
    expect((await store.getEndpoint(TENANT, withHeaders.id))?.headers).toEqual({
      "X-Key": "sealed:k",
      "X-Team": "sealed:t",
    });
    expect((await store.getEndpoint(TENANT, withHeaders.id))?.auth).toBe("sealed:{}");
    // A client certificate's key is; the certificate is public and stays as it is.
    expect(await store.getEndpoint(TENANT, withHeaders.id)).toMatchObject({
      tlsClientCert: "cert",
      tlsClientKey: "sealed:key",
    });
  });

  it("counts events and attempts per timeline bucket", async () => {
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    await store.createEvents([eventRows(T0, [endpoint.id]), eventRows(T0 + 1500, [endpoint.id])]);
    const claimed = await claimAll(store, T0 + 1600);
    await store.recordResults(
      [
        outcome(claimed[0]!, T0 + 1700, { ok: true }),
        outcome(claimed[1]!, T0 + 1800, { ok: false }),
      ],
      T0 + 1900,
      DEFAULT_LADDER,
    );
    const timeline = await store.timeline({
      tenantId: TENANT,
      since: T0,
      until: T0 + 2000,
      bucketMs: 1000,
    });
    expect(timeline.buckets.map((b) => [b.events, b.attemptsOk, b.attemptsFailed])).toEqual([
      [1, 0, 0],
      [1, 1, 1],
    ]);
    expect(timeline.p95Ms).toBe(12);
  });
});

describe("the PostgreSQL store shared by several nodes", () => {
  it("never lets two nodes claim the same delivery, and wakes a listening node when another commits due deliveries", async () => {
    const db = await freshDatabase();
    const [a, b] = await Promise.all([createPostgresStore(db.url), createPostgresStore(db.url)]);
    try {
      expect((await a.schemaVersion()).applied).toBe((await b.schemaVersion()).latest);
      let woken = 0;
      const unsubscribe = b.onDeliveriesDue!(() => woken++);
      const endpoint = endpointRow(T0);
      await a.createEndpoint(endpoint);
      // The LISTEN connection opens in the background: wait until a commit's NOTIFY arrives.
      await waitUntil(async () => {
        await a.createEvents([eventRows(T0, [endpoint.id])]);
        return woken > 0;
      });
      await a.createEvents(Array.from({ length: 400 }, () => eventRows(T0, [endpoint.id])));
      const total = (await a.stats(T0)).dueDeliveries;
      const claims: ClaimedDelivery[][] = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? a : b).claimDue({
            now: T0,
            limit: 50,
            ...LEASE,
            owner: `n${i}`,
            perEndpoint: 1000,
          }),
        ),
      );
      const ids = claims.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length + (await a.stats(T0)).dueDeliveries).toBe(total);
      unsubscribe();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
