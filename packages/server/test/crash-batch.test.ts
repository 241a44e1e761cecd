import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_crash_key_0123456789";
const dir = mkdtempSync(join(tmpdir(), "hookline-crash-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function post(url: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: an API answer as JSON; the assertions check it
  return (await response.json()) as any;
}

it("loses no event of an acknowledged batch through kill -9 right after the answer", async () => {
  const BATCHES = 8;
  const SIZE = 250;
  // Slow enough that most deliveries are still owed when the process dies.
  const receiver = await startReceiver(() => ({ status: 200, delayMs: 100 }));
  const env = { HOOKLINE_API_KEY: KEY, HOOKLINE_LOG_LEVEL: "warn" };
  const args = [
    "--port",
    "0",
    "--database",
    join(dir, "batch.db"),
    "--allow-network",
    "127.0.0.0/8",
  ];
  const first = await spawnServe(args, env);
  try {
    await post(first.url, "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] });
    const accepted: string[] = [];
    // Four clients, as a billing run's workers would send.
    await Promise.all(
      Array.from({ length: 4 }, async (_, client) => {
        for (let b = client; b < BATCHES; b += 4) {
          const events = Array.from({ length: SIZE }, (_, i) => ({
            type: "invoice.paid",
            data: { object: { id: `in_${b}_${i}` } },
          }));
          const answer = await post(first.url, "/v1/events/batch", { events });
          for (const item of answer.data) accepted.push(item.id);
        }
      }),
    );
    expect(accepted).toHaveLength(BATCHES * SIZE);
    first.child.kill("SIGKILL");
    expect((await exited(first.child)).signal).toBe("SIGKILL");
    const beforeRestart = receiver.received.length;
    expect(beforeRestart).toBeLessThan(accepted.length);

    const second = await spawnServe(args, env);
    try {
      const ids = () => new Set(receiver.received.map((r) => r.headers["webhook-id"] as string));
      await waitFor(() => accepted.every((id) => ids().has(id)), 90_000, "every accepted event");
      console.info(`kill -9 after ${beforeRestart}/${accepted.length} deliveries`);
      second.child.kill("SIGTERM");
      expect((await exited(second.child)).code).toBe(0);
    } finally {
      second.child.kill("SIGKILL");
    }
  } finally {
    first.child.kill("SIGKILL");
    await receiver.close();
  }
}, 150_000);
