import { expect, it } from "vitest";
import { createPrincipalCache } from "../src/api/principal-cache.ts";

const tenantKey = { kind: "tenant", tenantId: "tn_a", keyId: "key_1" } as const;

it("keeps a verified key for its time limit, never a portal link, and forgets all on clear", () => {
  let now = 0;
  const cache = createPrincipalCache({ clock: () => now, ttlMs: 1000 });
  cache.remember("Bearer hk_1", tenantKey);
  cache.remember("Bearer plt_1", { kind: "portal", tenantId: "tn_a", expiresAt: 5000 });
  expect(cache.get("Bearer hk_1")).toEqual(tenantKey);
  expect(cache.get("Bearer plt_1")).toBeUndefined();
  expect(cache.get(undefined)).toBeUndefined();
  now = 1000;
  expect(cache.get("Bearer hk_1")).toBeUndefined();
  cache.remember("Bearer hk_1", tenantKey);
  cache.clear();
  expect(cache.get("Bearer hk_1")).toBeUndefined();
});

it("drops the oldest entry past its size", () => {
  const cache = createPrincipalCache({ clock: () => 0, maxEntries: 2 });
  for (const n of [1, 2, 3]) cache.remember(`Bearer hk_${n}`, { kind: "root" });
  expect(["hk_1", "hk_2", "hk_3"].map((k) => cache.get(`Bearer ${k}`) !== undefined)).toEqual([
    false,
    true,
    true,
  ]);
});
