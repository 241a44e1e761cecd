import { describe, expect, it } from "vitest";
import { createBatchStatement } from "../../src/receive/inbox/batch-statement.ts";

describe("batched statements (PostgreSQL group commit)", () => {
  it("sends concurrent items as one statement and gives each its own result", async () => {
    const statements: string[][] = [];
    const run = createBatchStatement(
      async (items: string[]) => {
        statements.push(items);
        return items.map((item) => item.toUpperCase());
      },
      (item) => item,
    );
    expect(await Promise.all(["a", "b", "c"].map(run))).toEqual(["A", "B", "C"]);
    expect(statements).toEqual([["a", "b", "c"]]);
  });

  it("never puts two items with the same key in one statement", async () => {
    const statements: string[][] = [];
    const run = createBatchStatement(
      async (items: { id: string; n: number }[]) => {
        statements.push(items.map((item) => `${item.id}${item.n}`));
        return items.map((item) => item.n);
      },
      (item) => item.id,
    );
    const results = await Promise.all([
      run({ id: "x", n: 1 }),
      run({ id: "y", n: 2 }),
      run({ id: "x", n: 3 }),
    ]);
    expect(results).toEqual([1, 2, 3]);
    expect(statements).toEqual([["x1", "y2"], ["x3"]]);
  });

  it("rejects every item of a statement that failed, and goes on with the next", async () => {
    let calls = 0;
    const run = createBatchStatement(async (items: number[]) => {
      calls++;
      if (calls === 1) throw new Error("connection lost");
      return items;
    }, String);
    const failed = [run(1), run(2)];
    for (const item of failed) await expect(item).rejects.toThrow("connection lost");
    expect(await run(3)).toBe(3);
  });
});
