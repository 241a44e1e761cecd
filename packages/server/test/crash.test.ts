import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_crash_key_0123456789";
const dir = mkdtempSync(join(tmpdir(), "hookline-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function call(url: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string };
}

it.each(["fsync", "process"])(
  "loses no acknowledged event through kill -9 (durability %s): every event arrives, duplicates only for attempts in flight",
  async (durability) => {
    const EVENTS = 2000;
    // A receiver that takes 250 ms per request: 32 at a time that is 128 deliveries/s, 16 s for
    // all, well below the ingest rate, so the kill lands mid-delivery even on a loaded machine
    // (at 80 ms, a dispatcher that keeps pace finished before ingest did on a busy 2-core box).
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 250 }));
    const env = {
      HOOKLINE_API_KEY: KEY,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_DURABILITY: durability,
    };
    const args = [
      "--port",
      "0",
      "--database",
      join(dir, `crash-${durability}.db`),
      "--allow-network",
      "127.0.0.0/8",
    ];
    const first = await spawnServe(args, env);
    try {
      await call(first.url, "/v1/webhook_endpoints", { url: receiver.url, enabled_events: ["*"] });
      const accepted: string[] = [];
      // Ten clients posting at once, as an application's workers would.
      await Promise.all(
        Array.from({ length: 10 }, async (_, client) => {
          for (let i = client; i < EVENTS; i += 10) {
            const event = await call(first.url, "/v1/events", {
              type: "charge.succeeded",
              data: { object: { n: i } },
            });
            accepted.push(event.id);
          }
        }),
      );
      expect(accepted).toHaveLength(EVENTS);
      // Kill while deliveries are still going out.
      await waitFor(() => receiver.received.length >= 100, 20_000, "deliveries to start");
      expect(receiver.received.length).toBeLessThan(EVENTS);
      first.child.kill("SIGKILL");
      expect((await exited(first.child)).signal).toBe("SIGKILL");
      const beforeRestart = receiver.received.length;

      const second = await spawnServe(args, env);
      try {
        const ids = () => new Set(receiver.received.map((r) => r.headers["webhook-id"] as string));
        await waitFor(
          () => accepted.every((id) => ids().has(id)),
          60_000,
          "every accepted event to arrive",
        );
        const duplicates = receiver.received.length - ids().size;
        // At most the attempts that were in flight (32 per endpoint by default) or finished but not
        // yet recorded when the process died.
        expect(duplicates).toBeLessThanOrEqual(64);
        console.info(
          `kill -9 after ${beforeRestart}/${EVENTS} deliveries; ${duplicates} duplicates after restart`,
        );
        second.child.kill("SIGTERM");
        expect((await exited(second.child)).code).toBe(0);
      } finally {
        second.child.kill("SIGKILL");
      }
    } finally {
      first.child.kill("SIGKILL");
      await receiver.close();
    }
  },
  120_000,
);
