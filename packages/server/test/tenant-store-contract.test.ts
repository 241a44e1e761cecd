import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { factories, type Opened } from "./support/store-factories.ts";
import { endpointRow, eventRows, TENANT } from "./support/store-rows.ts";

// Tenants and API keys behave the same on every store.

const T0 = 1_750_000_000_000;
const hash = (key: string) => createHash("sha256").update(key).digest();
const tenant = (id: string, at = T0) => ({
  id,
  name: id,
  metadata: { plan: "pro" },
  createdAt: at,
  updatedAt: at,
});
const key = (id: string, tenantId: string, at = T0) => ({
  id,
  tenantId,
  name: null,
  keyHint: "hk_abcd…",
  createdAt: at,
  revokedAt: null,
});

describe.each(factories)("the $name tenant store", ({ open }) => {
  let opened: Opened;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => {
    await opened.cleanup();
  });

  it("creates tenants once per id, reads, lists newest first with cursors, and updates them", async () => {
    const { store } = opened;
    // Created after the default tenant (made by the migration, now), as they would be.
    const later = Date.now() + 1000;
    expect(await store.createTenant(tenant("tn_a", later + 1))).toBe(true);
    expect(await store.createTenant(tenant("tn_b", later + 2))).toBe(true);
    expect(await store.createTenant(tenant("tn_a", later + 3))).toBe(false);
    expect(await store.getTenant("tn_a")).toMatchObject({
      name: "tn_a",
      metadata: { plan: "pro" },
    });
    const first = await store.listTenants({ limit: 2 });
    expect(first.data.map((t) => t.id)).toEqual(["tn_b", "tn_a"]);
    expect(first.hasMore).toBe(true);
    const rest = await store.listTenants({ limit: 2, startingAfter: "tn_a" });
    expect(rest.data.map((t) => t.id)).toEqual([TENANT]);
    await store.updateTenant({ ...tenant("tn_a"), name: "Acme", updatedAt: T0 + 9 });
    expect((await store.getTenant("tn_a"))?.name).toBe("Acme");
  });

  it("finds a live key by its hash only, and stops finding it once revoked", async () => {
    const { store } = opened;
    await store.createTenant(tenant("tn_a"));
    await store.createApiKey(key("key_1", "tn_a"), hash("hk_one"));
    expect(await store.findApiKey(hash("hk_one"))).toMatchObject({ id: "key_1", tenantId: "tn_a" });
    expect(await store.findApiKey(hash("hk_other"))).toBeUndefined();
    expect((await store.revokeApiKey("key_1", T0 + 5))?.revokedAt).toBe(T0 + 5);
    expect(await store.findApiKey(hash("hk_one"))).toBeUndefined();
    expect((await store.listApiKeys("tn_a", { limit: 10 })).data).toHaveLength(1);
  });

  it("deletes only a tenant without endpoints, hiding it and revoking its keys", async () => {
    const { store } = opened;
    await store.createTenant(tenant("tn_a"));
    await store.createApiKey(key("key_1", "tn_a"), hash("hk_one"));
    const endpoint = { ...endpointRow(T0), tenantId: "tn_a" };
    await store.createEndpoint(endpoint);
    expect(await store.deleteTenant("tn_a", T0 + 1)).toBe("has_endpoints");
    await store.deleteEndpoint("tn_a", endpoint.id, T0 + 2);
    expect(await store.deleteTenant("tn_a", T0 + 3)).toBe("deleted");
    expect(await store.deleteTenant("tn_a", T0 + 4)).toBe("missing");
    expect(await store.getTenant("tn_a")).toBeUndefined();
    expect(await store.findApiKey(hash("hk_one"))).toBeUndefined();
    expect((await store.getApiKey("key_1"))?.revokedAt).toBe(T0 + 3);
  });

  it("refuses to delete another tenant's endpoint by its id, and leaves its deliveries alone", async () => {
    const { store } = opened;
    await store.createTenant(tenant("tn_b"));
    const endpoint = endpointRow(T0);
    await store.createEndpoint(endpoint);
    const rows = eventRows(T0 + 1, [endpoint.id]);
    await store.createEvents([rows]);
    const deliveryId = rows.deliveries[0]!.id;
    expect(await store.deleteEndpoint("tn_b", endpoint.id, T0 + 2)).toBe(false);
    expect(await store.getEndpoint(TENANT, endpoint.id)).toBeDefined();
    expect((await store.getDelivery(TENANT, deliveryId))?.status).toBe("pending");
  });
});
