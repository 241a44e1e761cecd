import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Event, verify } from "@hookline/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOWS } from "../src/catalog/flows.ts";
import { seededRandom } from "../src/cli/shuffle.ts";
import { planEvents } from "../src/cli/trigger-plan.ts";
import { startReceiver } from "./support/receiver.ts";
import { runCli } from "./support/run-cli.ts";
import { API_KEY, startTestServer, type TestServer, waitFor } from "./support/server.ts";

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let secret: string;
let env: Record<string, string>;
const home = mkdtempSync(join(tmpdir(), "hookline-cli-trigger-"));

beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver();
  const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
    url: receiver.url,
    enabled_events: ["*"],
  });
  secret = endpoint.body.secret;
  env = { HOOKLINE_URL: server.url, HOOKLINE_API_KEY: API_KEY, HOME: home, XDG_CONFIG_HOME: home };
});
afterAll(async () => {
  await receiver.close();
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Sent {
  id: string;
  type: string;
  copy: number;
  endpoints: number;
}
const lines = (stdout: string): Sent[] =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Sent);

/** Every request the receiver got for these event ids, each verified with the endpoint secret. */
async function receipts(ids: string[], count: number): Promise<Event[]> {
  const wanted = new Set(ids);
  const mine = () => receiver.received.filter((r) => wanted.has(JSON.parse(r.body).id));
  await waitFor(() => mine().length >= count, 20_000, `${count} receipts`);
  return mine().map((r) => verify(r.body, r.headers as Record<string, string>, secret));
}

const flowTypes = (name: string) => FLOWS[name]!.steps.map((s) => s.type);

// Each run of the CLI costs a few seconds of CPU on a busy machine: room for several per test.
describe("hookline trigger", { timeout: 120_000 }, () => {
  it("sends every flow's events in the flow's order, each one signed, with one cast per run", async () => {
    const names = Object.keys(FLOWS);
    const run = await runCli(["trigger", ...names, "--json"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const sent = lines(run.stdout);
    expect(sent.map((s) => s.type)).toEqual(names.flatMap(flowTypes));
    expect(sent.every((s) => s.endpoints === 1 && s.copy === 1)).toBe(true);

    const events = await receipts(
      sent.map((s) => s.id),
      sent.length,
    );
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(sent.map((s) => s.id)));
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const s of sent) expect(byId.get(s.id)!.type).toBe(s.type);
    const [created, charge, succeeded] = sent
      .slice(0, 3)
      .map((s) => byId.get(s.id)!.data.object as Record<string, unknown>);
    expect(charge!.payment_intent).toBe(created!.id);
    expect(succeeded).toMatchObject({
      id: created!.id,
      status: "succeeded",
      latest_charge: charge!.id,
    });
    const pastDue = byId.get(sent.find((s) => s.type === "customer.subscription.updated")!.id)!;
    expect(pastDue.data).toMatchObject({
      object: { status: "past_due" },
      previous_attributes: { status: "active" },
    });
  });

  it("--override sets a field in every event, or in one type's events with type:path", async () => {
    const run = await runCli(
      [
        "trigger",
        "payment-succeeded",
        "--override",
        "amount=4242",
        "--override",
        "currency=eur",
        "--override",
        'charge.succeeded:metadata.order_id="A-1"',
        "--json",
      ],
      env,
    );
    expect(run.code).toBe(0);
    const sent = lines(run.stdout);
    const events = await receipts(
      sent.map((s) => s.id),
      3,
    );
    for (const event of events)
      expect(event.data.object).toMatchObject({ amount: 4242, currency: "eur" });
    const metadata = Object.fromEntries(
      events.map((e) => [e.type, (e.data.object as { metadata: unknown }).metadata]),
    );
    expect(metadata["charge.succeeded"]).toEqual({ order_id: "A-1" });
    expect(metadata["payment_intent.succeeded"]).toEqual({ order_id: "1042" });
  });

  it("--duplicate 3 makes the receiver get one event id three times, signed each time", async () => {
    const run = await runCli(["trigger", "invoice.paid", "--duplicate", "3", "--json"], env);
    expect(run.code).toBe(0);
    const sent = lines(run.stdout);
    expect(sent.map((s) => s.copy)).toEqual([1, 2, 3]);
    expect(new Set(sent.map((s) => s.id)).size).toBe(1);
    const events = await receipts([sent[0]!.id], 3);
    expect(events.map((e) => e.type)).toEqual(["invoice.paid", "invoice.paid", "invoice.paid"]);
  });

  it("--reorder sends a flow's events in another order, the same one for the same --seed", async () => {
    const run = await runCli(
      ["trigger", "subscription-created", "--reorder", "--seed", "42", "--delay", "5ms", "--json"],
      env,
    );
    expect(run.code).toBe(0);
    const types = lines(run.stdout).map((s) => s.type);
    expect(types).not.toEqual(flowTypes("subscription-created"));
    expect([...types].sort()).toEqual([...flowTypes("subscription-created")].sort());
    const replay = planEvents(["subscription-created"], [], { reorder: seededRandom(42) });
    expect(replay.map((e) => e.type)).toEqual(types);
    await receipts(
      lines(run.stdout).map((s) => s.id),
      types.length,
    );
  });

  it("refuses bad input with a clear message and exit code 2, sending nothing", async () => {
    const before = (await server.api("GET", "/v1/events?limit=100")).body.data.length;
    const noKey = { HOOKLINE_URL: server.url, HOME: home, XDG_CONFIG_HOME: home };
    const [typo, override, key, tenant, unknownTenant] = await Promise.all([
      runCli(["trigger", "payment-succeded"], env),
      runCli(["trigger", "payment-succeeded", "--override", "amount"], env),
      runCli(["trigger", "payment-succeeded"], noKey),
      runCli(["trigger", "refund", "--tenant", "acme"], env),
      runCli(["trigger", "refund", "--tenant", "tn_nobody"], env),
    ]);
    expect([typo.code, override.code, key.code, tenant.code]).toEqual([2, 2, 2, 2]);
    // A well-formed tenant the server does not know: its answer, exit 1.
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toMatch(/resource_missing.*tn_nobody/);
    expect(typo.stderr).toMatch(/unknown event type or flow 'payment-succeded'.*payment-succeeded/);
    expect(override.stderr).toMatch(/--override 'amount': expected path=value/);
    expect(key.stderr).toMatch(
      /no API key: pass --api-key, set HOOKLINE_API_KEY, or save one with `hookline login`/,
    );
    expect(tenant.stderr).toMatch(/--tenant 'acme': expected a tenant id such as tn_acme/);
    for (const run of [typo, override, key, tenant, unknownTenant]) expect(run.stdout).toBe("");
    expect((await server.api("GET", "/v1/events?limit=100")).body.data.length).toBe(before);
  });
});
