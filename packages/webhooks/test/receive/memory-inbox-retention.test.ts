import { describe, expect, it } from "vitest";
import { createMemoryInbox } from "../../src/index.ts";

const LEASE = 60_000;
const T0 = 1_700_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const event = (id: string) => ({ id, type: "invoice.paid", payload: `{"id":"${id}"}` });

/** Claims and completes `id` at `now`; what the claim answered. */
async function handle(inbox: ReturnType<typeof createMemoryInbox>, id: string, now: number) {
  const claim = await inbox.claim(event(id), { now, leaseMs: LEASE, token: `t_${id}_${now}` });
  if (claim.status === "new") await inbox.complete(id, `t_${id}_${now}`, { now });
  return claim.status;
}

describe("the memory inbox's memory of handled events", () => {
  it("keeps at most maxCompleted ids, forgetting the oldest first", async () => {
    const inbox = createMemoryInbox({ maxCompleted: 3 });
    for (let i = 1; i <= 5; i++) expect(await handle(inbox, `evt_${i}`, T0 + i)).toBe("new");
    // evt_3..5 are remembered; asking for them first keeps the cap from moving under the test.
    for (const id of ["evt_3", "evt_4", "evt_5"]) {
      expect(await handle(inbox, id, T0 + 10)).toBe("duplicate");
    }
    expect(await handle(inbox, "evt_1", T0 + 11)).toBe("new");
    expect(await handle(inbox, "evt_2", T0 + 12)).toBe("new");
  });

  it("forgets an id once retainMs has passed since it completed, and not before", async () => {
    const inbox = createMemoryInbox({ retainMs: DAY });
    expect(await handle(inbox, "evt_old", T0)).toBe("new");
    expect(await handle(inbox, "evt_old", T0 + DAY)).toBe("duplicate");
    expect(await handle(inbox, "evt_old", T0 + DAY + 1)).toBe("new");
  });

  it("drops the ids it forgot, so memory stays bounded (3 days and 100,000 ids by default)", async () => {
    const inbox = createMemoryInbox();
    // 100,001 handled a millisecond apart: the first is forgotten by count...
    for (let i = 0; i <= 100_000; i++) await handle(inbox, `evt_${i}`, T0 + i);
    expect(await handle(inbox, "evt_1", T0 + 100_001)).toBe("duplicate");
    expect(await handle(inbox, "evt_0", T0 + 100_002)).toBe("new");
    // ...and everything handled 3 days before the latest completion is forgotten by age.
    const later = T0 + 3 * DAY + 200_000;
    expect(await handle(inbox, "evt_fresh", later)).toBe("new");
    expect(await handle(inbox, "evt_99999", later + 1)).toBe("new");
    expect(await handle(inbox, "evt_fresh", later + 2)).toBe("duplicate");
  });

  it("keeps the stale guard's object versions under the same bounds, oldest change first", async () => {
    const inbox = createMemoryInbox({ maxCompleted: 2, retainMs: DAY });
    const v = (created: number) => ({ created, sequence: 0 });
    await handle(inbox, "evt_clock", T0); // the inbox's clock: the latest `now` it was given
    expect(await inbox.advance("cus_a", v(10))).toBe(true);
    expect(await inbox.advance("cus_b", v(10))).toBe(true);
    expect(await inbox.advance("cus_a", v(11))).toBe(true); // cus_a changed last: cus_b is oldest
    expect(await inbox.advance("cus_c", v(10))).toBe(true); // three objects: cus_b is forgotten
    expect(await inbox.advance("cus_a", v(9))).toBe(false); // remembered: stale
    expect(await inbox.advance("cus_b", v(9))).toBe(true); // forgotten: applied, as after a restart
    // By age: a day after cus_b's change, it is still remembered; a millisecond later, not.
    await handle(inbox, "evt_day", T0 + DAY);
    expect(await inbox.advance("cus_b", v(8))).toBe(false);
    await handle(inbox, "evt_later", T0 + DAY + 1);
    expect(await inbox.advance("cus_b", v(8))).toBe(true);
  });

  it("refuses a negative or non-integer bound", () => {
    expect(() => createMemoryInbox({ retainMs: -1 })).toThrow(RangeError);
    expect(() => createMemoryInbox({ maxCompleted: 1.5 })).toThrow(RangeError);
    expect(() => createMemoryInbox({ retainMs: Number.NaN })).toThrow(RangeError);
  });
});
