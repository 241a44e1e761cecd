// The build, as `npm start` runs it: plain JavaScript, no tsx. Its sender runs on a worker
// thread loaded from dist/ (the source tests load it through tsx instead), so this is the one
// test of that path. `npm test` builds before it tests.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verify } from "@hookline/webhooks";
import { afterAll, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { builtCli, exited, spawnServe } from "./support/spawn.ts";

const KEY = "hk_test_built_server_0123456789";
const dir = mkdtempSync(join(tmpdir(), "hookline-built-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("delivers signed events from the build's sender thread and stops cleanly", async () => {
  expect(existsSync(builtCli), `${builtCli} is missing: run npm run build`).toBe(true);
  const receiver = await startReceiver();
  const args = ["--port", "0", "--database", join(dir, "h.db"), "--allow-network", "127.0.0.0/8"];
  const node = await spawnServe(args, { HOOKLINE_API_KEY: KEY }, { built: true });
  try {
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${node.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { id: string; secret?: string };
    };
    const endpoint = await call("/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      ids.add((await call("/v1/events", { type: "charge.succeeded", data: { object: { i } } })).id);
    }
    await waitFor(() => receiver.received.length >= 20, 10_000, "20 deliveries");
    for (const request of receiver.received) {
      const event = verify(request.body, request.headers, endpoint.secret!);
      expect(ids.has(event.id)).toBe(true);
    }
    // serve falls back to the main thread, with a warning, when the thread cannot load.
    expect(node.output()).not.toContain("sender's thread did not start");
    node.child.kill("SIGTERM");
    expect((await exited(node.child)).code).toBe(0);
  } finally {
    node.child.kill("SIGKILL");
    await receiver.close();
  }
});
