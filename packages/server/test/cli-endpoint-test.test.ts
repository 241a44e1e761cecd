import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { runCli } from "./support/run-cli.ts";
import { API_KEY, startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
const home = mkdtempSync(join(tmpdir(), "hookline-cli-test-send-"));
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  env = { HOME: home, XDG_CONFIG_HOME: home, HOOKLINE_URL: server.url, HOOKLINE_API_KEY: API_KEY };
});
afterAll(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("hookline endpoints test", { timeout: 120_000 }, () => {
  it("sends one example to the endpoint and exits 0 when accepted, 1 when not", async () => {
    const ok = await startReceiver(() => ({ status: 200, body: "received" }));
    const down = await startReceiver(() => ({ status: 503, body: "maintenance" }));
    try {
      const make = async (url: string) =>
        (await server.api("POST", "/v1/webhook_endpoints", { url, enabled_events: ["*"] })).body
          .id as string;
      const good = await runCli(
        ["endpoints", "test", await make(ok.url), "--type", "invoice.paid"],
        env,
      );
      expect(good.stderr).toBe("");
      expect(good.code).toBe(0);
      expect(good.stdout).toContain("Delivered invoice.paid");
      expect(good.stdout).toMatch(/status\s+200/);
      expect(good.stdout).toContain("received");
      expect(JSON.parse(ok.received[0]!.body).type).toBe("invoice.paid");

      const bad = await runCli(["endpoints", "test", await make(down.url), "--json"], env);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({
        succeeded: false,
        event: { type: "payment_intent.succeeded" },
        attempt: { status_code: 503, response_body: "maintenance" },
      });
      expect(bad.stderr).toContain("did not accept the test event");
    } finally {
      await ok.close();
      await down.close();
    }
  });
});
