import type { Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { clientCertAgents } from "../src/dispatch/client-cert-agents.ts";

/** A stand-in pool that says which certificate it was made for and whether it was closed. */
function fakePools() {
  const made: { cert: string; closed: boolean }[] = [];
  const make = (tls: { cert: string; key: string }) => {
    const pool = { cert: tls.cert, closed: false };
    made.push(pool);
    return {
      pool,
      close: async () => {
        pool.closed = true;
      },
    } as unknown as Dispatcher;
  };
  return { made, make };
}

describe("client certificate pools", () => {
  it("makes one pool per certificate and hands the same one back", () => {
    const { made, make } = fakePools();
    const agents = clientCertAgents(make);
    const a = agents.get({ cert: "A", key: "a" });
    expect(agents.get({ cert: "A", key: "a" })).toBe(a);
    expect(agents.get({ cert: "B", key: "b" })).not.toBe(a);
    // The same certificate with another key is another pool: it must present that key.
    expect(agents.get({ cert: "A", key: "a2" })).not.toBe(a);
    expect(made.map((p) => p.cert)).toEqual(["A", "B", "A"]);
  });

  it("keeps at most `max` pools, closing the least recently used", async () => {
    const { made, make } = fakePools();
    const agents = clientCertAgents(make, 2);
    agents.get({ cert: "A", key: "a" });
    agents.get({ cert: "B", key: "b" });
    agents.get({ cert: "A", key: "a" }); // A is now the most recent
    agents.get({ cert: "C", key: "c" });
    expect(agents.size()).toBe(2);
    expect(made.map((p) => [p.cert, p.closed])).toEqual([
      ["A", false],
      ["B", true],
      ["C", false],
    ]);
    await agents.close();
    expect(made.every((p) => p.closed)).toBe(true);
  });
});
