import { generateSecret } from "@hookline/webhooks";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SendOutcome, SendRequest } from "../src/dispatch/outcome.ts";
import { createSender, type Sender, type SenderOptions } from "../src/dispatch/send.ts";
import { createThreadedSender } from "../src/dispatch/threaded-sender.ts";
import { closedPort, type Receiver, startReceiver } from "./support/raw-receiver.ts";

const stripe = new Stripe("sk_test_x");
const secret = generateSecret();
const body = Buffer.from(
  JSON.stringify({
    id: "evt_1",
    object: "event",
    type: "customer.updated",
    created: 1_700_000_000,
    data: { object: { id: "cus_1", object: "customer", name: "Zoë 東京 🚀", note: "a\r\n\tb" } },
  }),
);

// Every receiver is on 127.0.0.1, so these tests run with loopback explicitly allowed.
const loopback = { allowedNetworks: ["127.0.0.0/8"], allowLoopback: false };
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  opened.push(started);
  return started;
}

const SENDERS = [
  { name: "in the main thread", make: createSender },
  { name: "on its own thread", make: createThreadedSender },
];
let current: (options: SenderOptions) => Sender = createSender;

function sender(options: Partial<SenderOptions> = {}): Sender {
  const created = current({ timeoutMs: 2_000, policy: loopback, ...options });
  opened.push(created);
  return created;
}

function attempt(url: string, extra: Partial<SendRequest> = {}): SendRequest {
  return { url, body, eventId: "evt_1", secrets: [secret], scheme: "both", ...extra };
}

function failed(outcome: SendOutcome) {
  if (outcome.kind !== "failed") throw new Error(`expected a failure, got ${outcome.kind}`);
  return outcome;
}

// The same contract on the main thread and on the sender's own thread (what serve runs when
// there is a second core): each request and outcome crosses the thread boundary there.
describe.each(SENDERS)("the sender $name", ({ make }) => {
  beforeAll(() => {
    current = make;
  });

  describe("signing and the bytes on the wire", () => {
    it("delivers with both header sets, which stripe and standardwebhooks accept", async () => {
      const target = await receiver();
      const outcome = await sender().send(attempt(`${target.url}/hooks`));
      expect(outcome).toMatchObject({ kind: "delivered", status: 200, responseBody: "ok" });
      const [got] = target.requests;
      const headers = got!.headers as Record<string, string>;
      expect(
        stripe.webhooks.constructEvent(got!.body, headers["stripe-signature"]!, secret).id,
      ).toBe("evt_1");
      expect(new Webhook(secret).verify(got!.body, headers)).toMatchObject({ id: "evt_1" });
      expect(headers["content-type"]).toBe("application/json");
      expect(headers["user-agent"]).toMatch(/^Hookline\//);
      expect(got!.method).toBe("POST");
      expect(got!.path).toBe("/hooks");
    });

    it("sends the stored body byte-identical and records the headers it sent", async () => {
      const target = await receiver();
      const outcome = await sender().send(attempt(target.url));
      const [got] = target.requests;
      expect(got!.body.equals(body)).toBe(true);
      expect(Object.keys(outcome.requestHeaders).length).toBeGreaterThanOrEqual(5);
      for (const [name, value] of Object.entries(outcome.requestHeaders)) {
        expect(got!.headers[name]).toBe(value);
      }
    });

    it("sends only the chosen scheme's headers when the endpoint opted into one", async () => {
      const target = await receiver();
      await sender().send(attempt(target.url, { scheme: "stripe" }));
      await sender().send(attempt(target.url, { scheme: "standard" }));
      const [onlyStripe, onlyStandard] = target.requests.map((r) => Object.keys(r.headers));
      expect(onlyStripe).toContain("stripe-signature");
      expect(onlyStripe).not.toContain("webhook-signature");
      expect(onlyStandard).toEqual(expect.arrayContaining(["webhook-id", "webhook-signature"]));
      expect(onlyStandard).not.toContain("stripe-signature");
    });

    it("signs with every secret during a rotation, so either one verifies", async () => {
      const target = await receiver();
      const old = generateSecret();
      await sender().send(attempt(target.url, { secrets: [secret, old] }));
      const got = target.requests[0]!;
      const headers = got.headers as Record<string, string>;
      expect(headers["stripe-signature"]!.match(/v1=/g)).toHaveLength(2);
      expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
      for (const key of [secret, old]) {
        expect(
          stripe.webhooks.constructEvent(got.body, headers["stripe-signature"]!, key),
        ).toBeTruthy();
        expect(new Webhook(key).verify(got.body, headers)).toBeTruthy();
      }
    });
  });

  describe("what the receiver answered", () => {
    it("treats a 500 as a retryable http_status failure and keeps its body", async () => {
      const target = await receiver((res) => res.writeHead(500).end("boom"));
      const outcome = failed(await sender().send(attempt(target.url)));
      expect(outcome).toMatchObject({ error: "http_status", retryable: true, status: 500 });
      expect(outcome.responseBody).toBe("boom");
      expect(outcome.requestHeaders["stripe-signature"]).toBeDefined();
    });

    it("treats 410 Gone as not retryable", async () => {
      const target = await receiver((res) => res.writeHead(410).end());
      const outcome = failed(await sender().send(attempt(target.url)));
      expect(outcome).toMatchObject({ error: "http_status", retryable: false, status: 410 });
    });

    it("passes on Retry-After in seconds", async () => {
      const target = await receiver((res) => res.writeHead(429, { "retry-after": "7" }).end());
      const outcome = failed(await sender().send(attempt(target.url)));
      expect(outcome).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
    });

    it("does not follow a redirect: a 302 is a failure and the target gets nothing", async () => {
      const elsewhere = await receiver();
      const target = await receiver((res) => res.writeHead(302, { location: elsewhere.url }).end());
      const outcome = failed(await sender().send(attempt(target.url)));
      expect(outcome).toMatchObject({ error: "http_status", retryable: true, status: 302 });
      expect(outcome.message).toContain(elsewhere.url);
      expect(elsewhere.requests).toHaveLength(0);
    });

    it("keeps only the first maxResponseBytes of a 1 MB response", async () => {
      const target = await receiver((res) => res.end(Buffer.alloc(1 << 20, "x")));
      const outcome = await sender().send(attempt(target.url));
      expect(outcome).toMatchObject({ kind: "delivered", status: 200 });
      expect(outcome.responseBody).toBe("x".repeat(4096));
    });
  });

  describe("when the receiver is slow or absent", () => {
    it("times out a receiver that never answers", async () => {
      const target = await receiver(() => {});
      const outcome = failed(await sender({ timeoutMs: 200 }).send(attempt(target.url)));
      expect(outcome).toMatchObject({ error: "timeout", retryable: true });
      expect(outcome.status).toBeUndefined();
    });

    it("times out a receiver that sends headers and then stalls the body", async () => {
      const target = await receiver((res) => res.writeHead(200).write("partial"));
      const outcome = failed(await sender({ timeoutMs: 200 }).send(attempt(target.url)));
      expect(outcome).toMatchObject({ error: "timeout", retryable: true, status: 200 });
    });

    it("bounds the whole attempt: a body that trickles in forever times out at timeoutMs", async () => {
      // Each chunk comes well within undici's own body timeout (time between chunks), so only
      // the attempt's deadline can end this one.
      const target = await receiver((res) => {
        res.writeHead(200);
        const drip = setInterval(() => res.write("."), 40);
        res.on("close", () => clearInterval(drip));
      });
      const started = Date.now();
      const outcome = failed(await sender({ timeoutMs: 300 }).send(attempt(target.url)));
      expect(outcome).toMatchObject({ error: "timeout", retryable: true, status: 200 });
      expect(outcome.message).toContain("waited for the response body");
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("reports connection_failed when nothing listens on the port", async () => {
      const port = await closedPort();
      const outcome = failed(await sender().send(attempt(`http://127.0.0.1:${port}/`)));
      expect(outcome).toMatchObject({ error: "connection_failed", retryable: true });
      expect(outcome.message).toContain("ECONNREFUSED");
    });
  });

  describe("the connection pool", () => {
    it("reuses keep-alive connections: 20 sequential sends open at most 2 sockets", async () => {
      const target = await receiver();
      const send = sender();
      for (let i = 0; i < 20; i++) {
        expect((await send.send(attempt(target.url))).kind).toBe("delivered");
      }
      expect(target.requests).toHaveLength(20);
      expect(target.connections).toBeLessThanOrEqual(2);
    });

    it("drains a response somewhat over the cap so its connection is reused too", async () => {
      // Over 64 KiB, the socket's read size, so the body cannot arrive whole in one read and
      // the sender really has to keep reading after the kept 4 KiB for the socket to survive.
      const target = await receiver((res) => res.end(Buffer.alloc(66_000, "y")));
      const send = sender();
      for (let i = 0; i < 10; i++) {
        expect((await send.send(attempt(target.url))).responseBody).toHaveLength(4096);
      }
      expect(target.connections).toBeLessThanOrEqual(2);
    });
  });
});

// An injected clock is a function: it cannot cross to another thread, so these run in-thread.
describe("the sender with an injected clock", () => {
  beforeAll(() => {
    current = createSender;
  });

  it("takes the signature timestamp and the duration from the injected clock", async () => {
    let clock = 1_900_000_000_500;
    const target = await receiver((res) => {
      clock += 250;
      res.end();
    });
    const outcome = await sender({ now: () => clock }).send(attempt(target.url));
    expect(outcome.requestHeaders["webhook-timestamp"]).toBe("1900000000");
    expect(outcome.durationMs).toBe(250);
  });

  it("passes on Retry-After as an HTTP date, measured from the injected clock", async () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    const retryAt = "Tue, 01 Jan 2030 00:02:00 GMT";
    const target = await receiver((res) => res.writeHead(503, { "retry-after": retryAt }).end());
    const outcome = failed(await sender({ now: () => now }).send(attempt(target.url)));
    expect(outcome).toMatchObject({ retryable: true, status: 503, retryAfterMs: 120_000 });
  });
});

describe("the sender's thread", () => {
  it("turns a thread that dies into failed, retryable attempts, and starts a new one", async () => {
    const target = await receiver((res) => res.end("ok"));
    const send = createThreadedSender({ timeoutMs: 2_000, policy: loopback });
    opened.push(send);
    // Not bytes: the thread throws reading it, outside any attempt, and dies.
    const broken = attempt(target.url, { body: "not bytes" as unknown as Buffer });
    const lost = failed(await send.send(broken));
    expect(lost).toMatchObject({ error: "unknown", retryable: true });
    expect(lost.message).toMatch(/the sender thread (failed|exited)/);
    expect(await send.send(attempt(target.url))).toMatchObject({ kind: "delivered", status: 200 });
    expect(target.requests).toHaveLength(1);
  });
});
