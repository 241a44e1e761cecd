import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { runCli } from "./support/run-cli.ts";
import { API_KEY, startTestServer, type TestServer, waitFor } from "./support/server.ts";

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const home = mkdtempSync(join(tmpdir(), "hookline-cli-admin-"));
const config = join(home, "xdg");
/** No URL or key in the environment: the commands below find both in the profile. */
const env = { HOME: home, XDG_CONFIG_HOME: config };
const profileFile = join(config, "hookline", "config.json");

beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

// Each run of the CLI costs a few seconds of CPU on a busy machine: room for several per test.
describe("hookline login and the admin commands", { timeout: 120_000 }, () => {
  it("login saves nothing for a refused key, then saves a 0600 profile for a good one", async () => {
    const refused = await runCli(
      ["login", "--url", server.url, "--api-key", "hk_wrong_key_0123456789"],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^hookline: api_key_invalid: /);
    expect(existsSync(profileFile)).toBe(false);

    const login = await runCli(["login", "--url", server.url], env, { input: `${API_KEY}\n` });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Saved profile 'default' to ${profileFile} (mode 600)`);
    expect(statSync(profileFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(profileFile, "utf8"))).toEqual({
      profiles: { default: { url: server.url, api_key: API_KEY } },
    });
  });

  it("creates, lists, updates, rotates and deletes an endpoint with the profile; --json parses", async () => {
    const create = await runCli(
      ["endpoints", "create", receiver.url, "--events", "invoice.*,charge.succeeded", "--json"],
      env,
    );
    expect(create.code).toBe(0);
    const endpoint = JSON.parse(create.stdout);
    expect(endpoint).toMatchObject({
      object: "webhook_endpoint",
      url: receiver.url,
      enabled_events: ["invoice.*", "charge.succeeded"],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const list = await runCli(["endpoints", "list"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+URL\s+EVENTS\s+STATUS\s+HEALTH\s+CREATED$/m);
    expect(list.stdout).toMatch(
      new RegExp(
        `^${endpoint.id}\\s+${receiver.url}\\s+invoice\\.\\*,charge\\.succeeded\\s+enabled\\s+healthy`,
        "m",
      ),
    );

    const update = await runCli(
      ["endpoints", "update", endpoint.id, "--events", "invoice.payed", "--disable", "--json"],
      env,
    );
    expect(update.code).toBe(0);
    expect(JSON.parse(update.stdout)).toMatchObject({
      status: "disabled",
      enabled_events: ["invoice.payed"],
    });
    expect(update.stderr).toContain("did you mean 'invoice.paid'?");

    const rotate = await runCli(
      ["endpoints", "rotate-secret", endpoint.id, "--expires-in", "0"],
      env,
    );
    expect(rotate.code).toBe(0);
    const secret = /secret\s+(whsec_\S+)/.exec(rotate.stdout)?.[1];
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);

    const remove = await runCli(["endpoints", "delete", endpoint.id], env);
    expect(remove.stdout.trim()).toBe(`Deleted ${endpoint.id}`);
    expect((await server.api("GET", `/v1/webhook_endpoints/${endpoint.id}`)).status).toBe(404);
  });

  it("lists, shows and resends events, and lists, shows and retries deliveries", async () => {
    const endpoint = (
      await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["refund.*"],
      })
    ).body;
    const event = (
      await server.api("POST", "/v1/events", {
        type: "refund.created",
        data: { object: { id: "re_1" } },
      })
    ).body;
    const got = () => receiver.received.filter((r) => JSON.parse(r.body).id === event.id).length;
    await waitFor(() => got() === 1, 10_000, "the first delivery");

    const [events, shown, deliveries] = await Promise.all([
      runCli(["events", "list", "--type", "refund.*", "--json"], env),
      runCli(["events", "get", event.id], env),
      runCli(["deliveries", "list", "--event", event.id, "--json"], env),
    ]);
    expect(JSON.parse(events.stdout).data.map((e: { id: string }) => e.id)).toEqual([event.id]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: event.id,
      type: "refund.created",
      data: { object: { id: "re_1" } },
    });
    const [delivery] = JSON.parse(deliveries.stdout).data;
    expect(delivery).toMatchObject({ event: event.id, endpoint: endpoint.id, status: "succeeded" });

    const resend = await runCli(["events", "resend", event.id], env);
    expect(resend.stdout).toContain(`Resent ${event.id}: 1 delivery due now`);
    await waitFor(() => got() === 2, 10_000, "the resent delivery");
    await waitFor(
      async () =>
        (await server.api("GET", `/v1/deliveries/${delivery.id}`)).body.status === "succeeded",
    );

    const [detail, retry] = await Promise.all([
      runCli(["deliveries", "get", delivery.id], env),
      runCli(["deliveries", "retry", delivery.id, "--json"], env),
    ]);
    expect(detail.stdout).toMatch(/^ATTEMPT\s+TIME\s+STATUS\s+DURATION\s+ERROR$/m);
    expect(
      detail.stdout.match(/^att_\S+\s+\S+ \S+Z\s+200\s+\d+ ms\s+-$/gm)?.length,
    ).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(retry.stdout)).toMatchObject({ id: delivery.id, object: "webhook_delivery" });
    await waitFor(() => got() === 3, 10_000, "the retried delivery");
  });

  it("recover re-queues what a disabled endpoint skipped, prints the count and waits for the queue to drain", async () => {
    const endpoint = (
      await server.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["invoice.*"],
      })
    ).body;
    await server.api("POST", `/v1/webhook_endpoints/${endpoint.id}`, { disabled: true });
    for (let i = 0; i < 3; i++) {
      await server.api("POST", "/v1/events", {
        type: "invoice.paid",
        data: { object: { id: `in_${i}` } },
      });
    }
    await server.api("POST", `/v1/webhook_endpoints/${endpoint.id}`, { disabled: false });
    const before = receiver.received.length;
    const recover = await runCli(["recover", endpoint.id, "--since", "1h"], env);
    expect(recover.code).toBe(0);
    expect(recover.stdout).toMatch(
      new RegExp(`^Re-queued 3 deliveries to ${endpoint.id} \\(created .+Z to .+Z\\)$`, "m"),
    );
    expect(recover.stdout).toContain("Delivered the queue: 3/3 sent");
    expect(receiver.received.length - before).toBe(3);
  });

  it("creates a per_key endpoint with --ordering and --on-exhausted, shows them, and refuses unknown values before sending", async () => {
    const create = await runCli(
      ["endpoints", "create", receiver.url, "--events", "*", "--ordering", "per_key"],
      env,
    );
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/^ordering\s+per_key, skip when exhausted$/m);
    const id = /Created (we_\w+)/.exec(create.stdout)![1]!;
    const hold = await runCli(["endpoints", "update", id, "--on-exhausted", "hold"], env);
    expect(hold.stdout).toMatch(/^ordering\s+per_key, hold when exhausted$/m);
    const update = await runCli(["endpoints", "update", id, "--ordering", "none", "--json"], env);
    expect(JSON.parse(update.stdout)).toMatchObject({
      ordering: "none",
      ordering_on_exhausted: "hold",
    });
    const held = await runCli(
      ["endpoints", "create", receiver.url, "--events", "*", "--on-exhausted", "hold", "--json"],
      env,
    );
    expect(JSON.parse(held.stdout).ordering_on_exhausted).toBe("hold");
    const notAnAction = await runCli(["endpoints", "update", id, "--on-exhausted", "drop"], env);
    expect(notAnAction.code).toBe(2);
    expect(notAnAction.stderr).toMatch(/argument 'drop' is invalid/);
    const wrong = await runCli(
      ["endpoints", "create", receiver.url, "--events", "*", "--ordering", "fifo"],
      env,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/argument 'fifo' is invalid/);
  });

  it("prints an API error as one line with its code (exit 1) and a usage error before sending (exit 2)", async () => {
    const [missing, nothing, noEvents] = await Promise.all([
      runCli(["events", "get", "evt_nope"], env),
      runCli(["endpoints", "update", "we_x"], env),
      runCli(["endpoints", "create", "https://example.com/hooks"], env),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^hookline: resource_missing: No such event: 'evt_nope' \(param: id\) \[req_\w+\]\n$/,
    );
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^hookline: nothing to update: give --endpoint-url/);
    expect(noEvents.code).toBe(2);
    expect(noEvents.stderr).toMatch(/required option '--events <types>' not specified/);
  });
});
