import { describe, expect, it } from "vitest";
import { createGroupCommit } from "../../src/receive/inbox/group-commit.ts";
import { gate, waitFor } from "./support/events.ts";

/** A transaction that records which statements ran together, and a sync the test releases. */
function recorder(options: { syncsInFlight?: number } = {}) {
  const transactions: number[][] = [];
  let current: number[] | undefined;
  const syncs: { promise: Promise<void>; open(): void }[] = [];
  const group = createGroupCommit(
    (work) => {
      current = [];
      work();
      transactions.push(current);
      current = undefined;
    },
    () => {
      const sync = gate<void>();
      syncs.push(sync);
      return sync.promise;
    },
    options,
  );
  const statement = (n: number) => () => {
    if (current === undefined) throw new Error("ran outside a transaction");
    current.push(n);
    return n;
  };
  return { group, transactions, syncs, statement };
}

describe("group commit", () => {
  it("runs the statements queued in one turn of the event loop in one transaction", async () => {
    const { group, transactions, statement } = recorder();
    const results = await Promise.all([1, 2, 3].map((n) => group.run(statement(n), false)));
    expect(results).toEqual([1, 2, 3]);
    expect(transactions).toEqual([[1, 2, 3]]);
  });

  it("resolves durable statements only after the sync, the others at commit", async () => {
    const { group, syncs, statement } = recorder();
    let durableDone = false;
    const durable = group.run(statement(1), true).then(() => {
      durableDone = true;
    });
    await group.run(statement(2), false);
    expect(durableDone).toBe(false);
    syncs[0]!.open();
    await durable;
    expect(durableDone).toBe(true);
  });

  it("holds new statements while a sync runs, then commits them together", async () => {
    const { group, transactions, syncs, statement } = recorder();
    const first = group.run(statement(1), true);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3].map((n) => group.run(statement(n), true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(transactions).toEqual([[1]]);
    syncs[0]!.open();
    await first;
    await waitFor(() => transactions.length === 2, "the held statements' transaction");
    expect(transactions).toEqual([[1], [2, 3]]);
    syncs[1]!.open();
    expect(await Promise.all(later)).toEqual([2, 3]);
  });

  it("rejects every statement of a transaction that failed", async () => {
    const group = createGroupCommit(() => {
      throw new Error("disk I/O error");
    }, undefined);
    const runs = [group.run(() => 1, true), group.run(() => 2, false)];
    for (const run of runs) await expect(run).rejects.toThrow("disk I/O error");
  });
});

describe("group commit with two syncs in flight", () => {
  it("commits and syncs a burst that arrives during a sync at once, and holds a third", async () => {
    const { group, transactions, syncs, statement } = recorder({ syncsInFlight: 2 });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = group.run(statement(1), true);
    await turn();
    const second = group.run(statement(2), true);
    await turn();
    // The second committed and started its own sync while the first still runs.
    expect(transactions).toEqual([[1], [2]]);
    expect(syncs).toHaveLength(2);
    const third = group.run(statement(3), true);
    await turn();
    expect(transactions).toEqual([[1], [2]]);
    syncs[1]!.open();
    expect(await second).toBe(2);
    await waitFor(() => transactions.length === 3, "the held statement's transaction");
    syncs[0]!.open();
    syncs[2]!.open();
    expect(await Promise.all([first, third])).toEqual([1, 3]);
  });
});
