import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/server.ts";
import { exited, spawnServe } from "./support/spawn.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const dir = mkdtempSync(join(tmpdir(), "hookline-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function serveSync(args: string[], env: Record<string, string> = {}) {
  return spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "packages/server/src/cli.ts", "serve", ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: 30_000,
    },
  );
}

describe("hookline serve", () => {
  it.each([
    [["--port", "abc"], {}, /--port \/ HOOKLINE_PORT: expected a port number/],
    [
      ["--retry-schedule", "5s,soon"],
      {},
      /--retry-schedule \/ HOOKLINE_RETRY_SCHEDULE: expected a comma-separated list of durations/,
    ],
    [["--timeout", "0s"], {}, /--timeout \/ HOOKLINE_DELIVERY_TIMEOUT/],
    [
      ["--allow-network", "10.0.0.0/99"],
      {},
      /--allow-network \/ HOOKLINE_ALLOWED_NETWORKS: .*10\.0\.0\.0\/99/,
    ],
    [[], { HOOKLINE_PORT: "70000" }, /HOOKLINE_PORT.*"70000"/],
    [["--durability", "maybe"], {}, /--durability \/ HOOKLINE_DURABILITY: expected "fsync"/],
    [[], { HOOKLINE_API_KEY: "short" }, /HOOKLINE_API_KEY: expected at least 16 characters/],
    [["--retention", "30m"], {}, /--retention \/ HOOKLINE_RETENTION: expected a duration of at/],
  ])(
    "refuses to start with %j %j, naming the setting and the accepted form",
    (args, env, message) => {
      const result = serveSync([...args, "--database", join(dir, "never.db")], env);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/^hookline: invalid configuration: /);
    },
  );

  it("prints the URL, the database and a generated key once; a configured key is never printed", async () => {
    const database = join(dir, "banner.db");
    const first = await spawnServe(["--port", "0", "--database", database], {
      HOOKLINE_API_KEY: "",
    });
    const key = /root API key\s+(hk_\S+)/.exec(first.output())?.[1];
    expect(first.output()).toContain(`database        ${database}`);
    expect(first.output()).toMatch(/curl -s http:\/\/localhost:\d+\/v1\/events/);
    expect(key).toBeDefined();
    const answer = await fetch(`${first.url}/v1/events`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(answer.status).toBe(200);
    first.child.kill("SIGTERM");
    expect((await exited(first.child)).code).toBe(0);

    const second = await spawnServe(["--port", "0", "--database", database], {
      HOOKLINE_API_KEY: "",
    });
    expect(second.output()).not.toMatch(/hk_/);
    const again = await fetch(`${second.url}/v1/events`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(again.status).toBe(200);
    second.child.kill("SIGTERM");
    await exited(second.child);

    const configured = await spawnServe(["--port", "0", "--database", join(dir, "configured.db")], {
      HOOKLINE_API_KEY: "hk_configured_key_0123456789",
    });
    expect(configured.output()).not.toContain("hk_configured_key_0123456789");
    expect(configured.output()).toContain("from HOOKLINE_API_KEY");
    configured.child.kill("SIGTERM");
    await exited(configured.child);
  }, 60_000);

  it.each([
    [[], {}, /targets {9}private and loopback addresses refused \(use --dev locally\)/],
    [
      [],
      { HOOKLINE_ALLOWED_NETWORKS: "127.0.0.0/8,::1/128" },
      /targets {9}allowed: 127\.0\.0\.0\/8, ::1\/128 \(--allow-network\); other private and loopback addresses refused\n/,
    ],
    [["--dev"], {}, /--dev {11}loopback targets ALLOWED \(development only\)\n/],
  ])(
    "says in its start banner which targets %j %j allows",
    async (args, env, line) => {
      const server = await spawnServe(
        [
          "--port",
          "0",
          "--database",
          join(dir, `targets-${args.length}-${Object.keys(env).length}.db`),
          ...args,
        ],
        { HOOKLINE_API_KEY: "hk_test_targets_key_0123456789", ...env },
      );
      server.child.kill("SIGTERM");
      await exited(server.child);
      expect(server.output()).toMatch(line);
    },
    60_000,
  );

  it("on SIGTERM lets the attempt in flight finish, records it, and exits 0", async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 700 }));
    const key = "hk_test_sigterm_key_0123456789";
    const args = [
      "--port",
      "0",
      "--database",
      join(dir, "sigterm.db"),
      "--allow-network",
      "127.0.0.0/8",
    ];
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const server = await spawnServe(args, { HOOKLINE_API_KEY: key });
    try {
      await fetch(`${server.url}/v1/webhook_endpoints`, {
        method: "POST",
        headers,
        body: JSON.stringify({ url: receiver.url, enabled_events: ["*"] }),
      });
      const event = (await (
        await fetch(`${server.url}/v1/events`, {
          method: "POST",
          headers,
          body: JSON.stringify({ type: "a.b", data: { object: {} } }),
        })
      ).json()) as { id: string };
      await waitFor(() => receiver.received.length === 1, 10_000, "the attempt to start");
      server.child.kill("SIGTERM");
      expect((await exited(server.child)).code).toBe(0);

      const after = await spawnServe(args, { HOOKLINE_API_KEY: key });
      try {
        const list = (await (
          await fetch(`${after.url}/v1/deliveries?event=${event.id}`, { headers })
        ).json()) as {
          data: { status: string; attempt_count: number }[];
        };
        expect(list.data[0]).toMatchObject({ status: "succeeded", attempt_count: 1 });
        expect(receiver.received).toHaveLength(1);
      } finally {
        after.child.kill("SIGKILL");
      }
    } finally {
      server.child.kill("SIGKILL");
      await receiver.close();
    }
  }, 60_000);
});
