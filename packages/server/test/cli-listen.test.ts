import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { verify } from "@hookline/webhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Answer, startReceiver } from "./support/receiver.ts";
import { API_KEY, startTestServer, type TestServer, waitFor } from "./support/server.ts";
import { exited } from "./support/spawn.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const cli = resolve(root, "packages/server/src/cli.ts");
// No `hookline login` profile of the machine running the tests may leak in.
const config = mkdtempSync(join(tmpdir(), "hookline-listen-"));

interface Listener {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in what the listener printed. */
  printed(pattern: RegExp, what?: string): Promise<RegExpExecArray>;
}

const running: ChildProcess[] = [];

/** The real `hookline listen`, from source, in a child process. */
function startListener(url: string, args: string[], env: Record<string, string> = {}): Listener {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", cli, "listen", "--url", url, ...args],
    {
      cwd: root,
      env: {
        ...process.env,
        HOOKLINE_API_KEY: API_KEY,
        NO_COLOR: "1",
        XDG_CONFIG_HOME: config,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    printed: (pattern, what = String(pattern)) =>
      waitFor(() => pattern.exec(output) ?? undefined, 20_000, `${what} in:\n${output}`),
  };
}

/** Starts a listener and waits until its stream is open; returns it with the secret it printed. */
async function listening(server: TestServer, args: string[]) {
  const listener = startListener(server.url, args);
  const secret = (await listener.printed(/signing secret is (whsec_\S+)/, "the secret"))[1]!;
  await listener.printed(/Ready!/, "Ready!");
  return { listener, secret };
}

async function stop(listener: Listener): Promise<void> {
  listener.child.kill("SIGINT");
  expect((await exited(listener.child)).code).toBe(0);
}

async function send(server: TestServer, type: string, object: Record<string, unknown> = {}) {
  const created = await server.api("POST", "/v1/events", { type, data: { object } });
  expect(created.status).toBe(200);
  return created.body.id as string;
}

/** The session endpoint's delivery of an event, with its attempts. */
async function deliveryOf(server: TestServer, eventId: string) {
  const list = await server.api("GET", `/v1/deliveries?event=${eventId}`);
  const id = list.body.data[0]?.id as string | undefined;
  return id === undefined ? undefined : (await server.api("GET", `/v1/deliveries/${id}`)).body;
}

let server: TestServer;
beforeAll(async () => {
  // A short first retry, so that a failed attempt's retry happens within the test.
  server = await startTestServer({ HOOKLINE_RETRY_SCHEDULE: "300ms,300ms,300ms" });
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});
afterAll(async () => {
  await server.stop();
  rmSync(config, { recursive: true, force: true });
});

describe("hookline listen", () => {
  it("forwards a delivery signed with the secret it printed and records the local answer as the attempt", async () => {
    const app = await startReceiver(() => ({ status: 202, body: "accepted locally" }));
    const { listener, secret } = await listening(server, [
      "--forward-to",
      app.url,
      "--name",
      "first",
    ]);
    const eventId = await send(server, "payment_intent.succeeded", { id: "pi_1", amount: 2000 });

    await waitFor(() => app.received.length === 1, 20_000, "the local app to receive it");
    const event = verify(app.received[0]!.body, app.received[0]!.headers, secret);
    expect(event).toMatchObject({ id: eventId, type: "payment_intent.succeeded" });
    // Both schemes sign, exactly as over HTTP.
    expect(app.received[0]!.headers["webhook-id"]).toBe(eventId);

    const delivery = await waitFor(async () => {
      const d = await deliveryOf(server, eventId);
      return d?.status === "succeeded" ? d : undefined;
    });
    expect(delivery.attempt_count).toBe(1);
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({
      status_code: 202,
      response_body: "accepted locally",
      error: null,
    });
    expect(delivery.attempts[0].request_headers["stripe-signature"]).toBe(
      app.received[0]!.headers["stripe-signature"],
    );
    const endpoint = await server.api("GET", `/v1/webhook_endpoints/${delivery.endpoint}`);
    expect(endpoint.body.url).toBe("hookline-listen://tn_default/first");

    // One line: time, type, event id, the local status, the duration.
    await listener.printed(
      new RegExp(
        `\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+payment_intent\\.succeeded\\s+${eventId}\\s+\\[202\\]\\s+\\d+ ms`,
      ),
      "the delivery line",
    );
    await stop(listener);
    await app.close();
  }, 60_000);

  it("records a local 500 as a failed attempt and delivers again on the retry", async () => {
    const app = await startReceiver(
      (_r, index): Answer => (index === 0 ? { status: 500, body: "boom" } : { status: 200 }),
    );
    const { listener } = await listening(server, ["--forward-to", app.url, "--name", "failing"]);
    const eventId = await send(server, "invoice.payment_failed");

    const delivery = await waitFor(
      async () => {
        const d = await deliveryOf(server, eventId);
        return d?.status === "succeeded" ? d : undefined;
      },
      20_000,
      "the retry to succeed",
    );
    expect(delivery.attempt_count).toBe(2);
    expect(delivery.attempts[0]).toMatchObject({
      status_code: 500,
      response_body: "boom",
      error: { kind: "http_status" },
    });
    expect(delivery.attempts[1]).toMatchObject({ status_code: 200, error: null });
    expect(app.received.map((r) => JSON.parse(r.body).id)).toEqual([eventId, eventId]);
    await listener.printed(new RegExp(`${eventId}\\s+\\[500\\]`));
    await listener.printed(new RegExp(`${eventId}\\s+\\[200\\]`));
    await stop(listener);
    await app.close();
  }, 60_000);

  it("reports what the local app answered before ^C ends it, so the next listen does not send it again", async () => {
    // The app answers 600 ms after the request arrived; ^C comes in between.
    const app = await startReceiver(() => ({ status: 200, delayMs: 600 }));
    const { listener } = await listening(server, ["--forward-to", app.url, "--name", "ctrl-c"]);
    const eventId = await send(server, "customer.updated");
    await waitFor(() => app.received.length === 1, 20_000, "the delivery at the local app");
    await stop(listener);
    const delivery = await waitFor(
      async () => {
        const d = await deliveryOf(server, eventId);
        return d?.status === "succeeded" ? d : undefined;
      },
      5_000,
      "the delivery recorded as answered",
    );
    expect(delivery.attempt_count).toBe(1);
    expect(delivery.attempts[0]).toMatchObject({ status_code: 200 });
    await app.close();
  }, 60_000);

  it("catches up after a stop: events sent while away arrive once each, in order, with no attempt burnt meanwhile", async () => {
    const app = await startReceiver();
    const first = await listening(server, ["--forward-to", app.url, "--name", "laptop"]);
    const before = await send(server, "customer.created");
    await waitFor(() => app.received.length === 1, 20_000, "the first event");
    await stop(first.listener);
    await waitFor(
      () => !server.listen.isConnected("hookline-listen://tn_default/laptop"),
      10_000,
      "the server to see the listener leave",
    );

    const away: string[] = [];
    for (let i = 0; i < 5; i++)
      away.push(await send(server, "charge.succeeded", { id: `ch_${i}` }));
    // Claimed and held for a listener, without an attempt: the retries are all still there.
    for (const id of away) {
      const held = await waitFor(
        async () => {
          const d = await deliveryOf(server, id);
          return d?.status === "pending" && d.next_attempt_at > d.created ? d : undefined;
        },
        10_000,
        `the delivery of ${id} to wait for a listener`,
      );
      expect(held.attempt_count).toBe(0);
    }
    expect(app.received).toHaveLength(1);

    const second = await listening(server, ["--forward-to", app.url, "--name", "laptop"]);
    expect(second.secret).toBe(first.secret);
    await waitFor(() => app.received.length >= 6, 20_000, "the 5 events sent while away");
    for (const id of away) {
      const d = await waitFor(async () => {
        const found = await deliveryOf(server, id);
        return found?.status === "succeeded" ? found : undefined;
      });
      expect(d.attempt_count).toBe(1);
    }
    const arrived = app.received.map((r) => verify(r.body, r.headers, second.secret).id);
    expect(arrived).toEqual([before, ...away]);
    await stop(second.listener);
    await app.close();
  }, 90_000);

  it("a listener that comes back gets a failed delivery at once, not at its next retry", async () => {
    const slow = await startTestServer({ HOOKLINE_RETRY_SCHEDULE: "1h" });
    const app = await startReceiver((_r, index): Answer => ({ status: index === 0 ? 503 : 200 }));
    try {
      const first = await listening(slow, ["--forward-to", app.url, "--name", "back"]);
      const eventId = await send(slow, "invoice.paid");
      const failed = await waitFor(async () => {
        const d = await deliveryOf(slow, eventId);
        return d?.attempt_count === 1 && d.status === "pending" ? d : undefined;
      });
      expect(failed.next_attempt_at - failed.last_attempt_at).toBeGreaterThan(1800);
      await stop(first.listener);
      const second = await listening(slow, ["--forward-to", app.url, "--name", "back"]);
      const delivered = await waitFor(
        async () => {
          const d = await deliveryOf(slow, eventId);
          return d?.status === "succeeded" ? d : undefined;
        },
        20_000,
        "the failed delivery to be sent again on reconnect",
      );
      expect(delivered.attempt_count).toBe(2);
      await stop(second.listener);
    } finally {
      await app.close();
      await slow.stop();
    }
  }, 60_000);

  it("with --events, receives only the matching types", async () => {
    const app = await startReceiver();
    const { listener } = await listening(server, [
      "--forward-to",
      app.url,
      "--name",
      "filtered",
      "--events",
      "payment_intent.*",
    ]);
    const skipped = await send(server, "charge.refunded");
    const wanted = await send(server, "payment_intent.created");
    await waitFor(() => app.received.length === 1, 20_000, "the matching event");
    expect(JSON.parse(app.received[0]!.body).id).toBe(wanted);
    const session = (await deliveryOf(server, wanted)).endpoint;
    const other = await server.api("GET", `/v1/deliveries?event=${skipped}&endpoint=${session}`);
    expect(other.body.data).toEqual([]);
    await stop(listener);
    await app.close();
  }, 60_000);

  it.each([
    [[], {}, 2, /--forward-to is required/],
    [["--forward-to", "localhost:3000/webhooks"], {}, 2, /--forward-to must be an http\(s\) URL/],
    [["--forward-to", "not a url"], {}, 2, /--forward-to must be an absolute http\(s\) URL/],
    [
      ["--forward-to", "http://127.0.0.1:9/x", "--timeout", "2h"],
      {},
      2,
      /--timeout must be a duration from 1s to 1h/,
    ],
    [["--forward-to", "http://127.0.0.1:9/x", "--name", "no spaces"], {}, 2, /--name must be/],
    [
      ["--forward-to", "http://127.0.0.1:9/x"],
      { HOOKLINE_API_KEY: "hk_wrong_key_0123456789" },
      1,
      /api_key_invalid: Invalid API key/,
    ],
  ])(
    "refuses %j %j with exit code %i and a clear message, opening no session",
    async (args, env, code, message) => {
      const named = args.includes("--name") ? args : [...args, "--name", "refused"];
      const listener = startListener(server.url, named, env);
      const { code: exitCode } = await exited(listener.child);
      expect(exitCode).toBe(code);
      expect(listener.output()).toMatch(message);
      expect(listener.output()).not.toMatch(/signing secret/);
      const endpoints = await server.api("GET", "/v1/webhook_endpoints?limit=100");
      expect(endpoints.body.data.map((e: { url: string }) => e.url)).not.toContain(
        "hookline-listen://tn_default/refused",
      );
    },
    30_000,
  );
});
