import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import type { AddressPolicy } from "../src/dispatch/address-guard.ts";
import type { Resolve } from "../src/dispatch/guarded-lookup.ts";
import { createSender, type Sender } from "../src/dispatch/send.ts";
import { CLIENT_ID, CLIENT_SECRET, startAuthorizationServer } from "./support/oauth2-server.ts";
import { closedPort, type Receiver, startReceiver } from "./support/raw-receiver.ts";
import { sendRequest } from "./support/send-request.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";
import { createTestPki } from "./support/test-pki.ts";
import { type ForwardProxy, startTinyproxy } from "./support/tinyproxy.ts";

// Deliveries through a real forward proxy (tinyproxy, started here on 127.0.0.1 and stopped by
// its PID). Every target is loopback; blocking is proven by refusing loopback under a policy
// that does not allow it. receiver.test is a name only the injected resolver knows: the proxy
// could not resolve it, so a delivery to it proves the proxy was handed the checked address.

const strict: AddressPolicy = { allowedNetworks: [], allowLoopback: false };
const loopbackOnly: AddressPolicy = { allowedNetworks: ["127.0.0.1/32"], allowLoopback: false };
const toLoopback: Resolve = async () => [{ address: "127.0.0.1", family: 4 }];

let proxy: ForwardProxy;
beforeAll(async () => {
  proxy = await startTinyproxy();
});
afterAll(async () => {
  await proxy.stop();
});

const opened: { close(): Promise<void> }[] = [];
let server: TestServer | undefined;
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
  await server?.stop();
  server = undefined;
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  opened.push(started);
  return started;
}

function sender(policy: AddressPolicy, options: { resolve?: Resolve; ca?: string } = {}): Sender {
  const created = createSender({
    timeoutMs: 5_000,
    policy,
    proxyUrl: proxy.url,
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    ...(options.ca === undefined ? {} : { extraCaCerts: [options.ca] }),
  });
  opened.push(created);
  return created;
}

/** The CONNECTs the proxy logged while `run` ran. */
async function connectsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const before = proxy.connects().length;
  await run();
  return proxy.connects().slice(before);
}

describe("deliveries through HOOKLINE_PROXY_URL", () => {
  it("asks the proxy to CONNECT to the address the guard checked, and sends the name as Host", async () => {
    const target = await receiver();
    const send = sender(loopbackOnly, { resolve: toLoopback });
    const url = `http://receiver.test:${target.port}/hooks`;
    let outcome: Awaited<ReturnType<Sender["send"]>> | undefined;
    const connects = await connectsDuring(async () => {
      outcome = await send.send(sendRequest(url));
    });
    expect(outcome).toMatchObject({ kind: "delivered", status: 200 });
    expect(connects).toEqual([`127.0.0.1:${target.port}`]);
    expect(target.requests[0]).toMatchObject({ path: "/hooks" });
    expect(target.requests[0]!.headers.host).toBe(`receiver.test:${target.port}`);
    expect(target.requests[0]!.headers["webhook-id"]).toBe("evt_1");
  });

  it("refuses loopback as it does without a proxy, asking the proxy for nothing", async () => {
    const target = await receiver();
    const send = sender(strict, { resolve: toLoopback });
    const connects = await connectsDuring(async () => {
      for (const host of ["127.0.0.1", "[::1]", "receiver.test"]) {
        const outcome = await send.send(sendRequest(`http://${host}:${target.port}/`));
        expect(outcome).toMatchObject({
          kind: "failed",
          error: "address_blocked",
          retryable: false,
        });
        if (outcome.kind === "failed") expect(outcome.message).toMatch(/loopback/);
      }
      // The system's resolver too: localhost is refused by what it resolves to.
      const outcome = await sender(strict).send(sendRequest(`http://localhost:${target.port}/`));
      expect(outcome).toMatchObject({ kind: "failed", error: "address_blocked" });
    });
    expect(connects).toEqual([]);
    expect(target.connections).toBe(0);
  });

  it("reaches an https endpoint by name through the tunnel, its certificate checked against the name", async () => {
    const pki = createTestPki();
    try {
      const ca = pki.ca("receivers-ca");
      const cert = pki.issue("receivers-ca", "receiver", "server"); // for receiver.test
      const https = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
        req.resume();
        req.on("end", () => res.end(`hello ${req.headers.host}`));
      });
      await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
      opened.push({
        close: () => {
          https.closeAllConnections();
          return new Promise((resolve) => https.close(() => resolve()));
        },
      });
      const { port } = https.address() as AddressInfo;
      const send = sender(loopbackOnly, { resolve: toLoopback, ca: ca.cert });
      const named = await send.send(sendRequest(`https://receiver.test:${port}/`));
      expect(named).toMatchObject({
        kind: "delivered",
        responseBody: `hello receiver.test:${port}`,
      });
      // Another name on the same address: the certificate does not cover it.
      const other = await send.send(sendRequest(`https://other.test:${port}/`));
      expect(other).toMatchObject({ kind: "failed", error: "connection_failed" });
      if (other.kind === "failed")
        expect(other.message).toMatch(/other\.test|altname|certificate/i);
    } finally {
      pki.remove();
    }
  });

  it("fails the attempt as connection_failed when the proxy is down", async () => {
    const target = await receiver();
    const down = createSender({
      timeoutMs: 5_000,
      policy: loopbackOnly,
      proxyUrl: `http://127.0.0.1:${await closedPort()}`,
    });
    opened.push(down);
    const outcome = await down.send(sendRequest(target.url));
    expect(outcome).toMatchObject({ kind: "failed", error: "connection_failed", retryable: true });
    expect(target.connections).toBe(0);
  });

  it("says so when the proxy refuses the tunnel", async () => {
    const target = await receiver();
    const only443 = await startTinyproxy(["ConnectPort 443"]);
    opened.push({ close: only443.stop });
    const send = createSender({ timeoutMs: 5_000, policy: loopbackOnly, proxyUrl: only443.url });
    opened.push(send);
    const outcome = await send.send(sendRequest(target.url));
    expect(outcome).toMatchObject({
      kind: "failed",
      error: "connection_failed",
      retryable: true,
      message:
        "the forward proxy (HOOKLINE_PROXY_URL) refused the tunnel: it answered CONNECT with 403",
    });
    expect(target.connections).toBe(0);
  });

  it("carries the server's deliveries and its OAuth2 token requests", async () => {
    const issuer = await startAuthorizationServer();
    opened.push(issuer);
    const target = await receiver();
    server = await startTestServer({ HOOKLINE_PROXY_URL: proxy.url });
    const connects = await connectsDuring(async () => {
      await server!.api("POST", "/v1/webhook_endpoints", {
        url: `${target.url}/hooks`,
        enabled_events: ["*"],
        auth: {
          type: "oauth2_client_credentials",
          token_url: issuer.tokenUrl,
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
        },
      });
      await server!.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
      await waitFor(async () => {
        const page = await server!.api("GET", "/v1/deliveries?status=succeeded");
        return page.body.data[0];
      });
    });
    const tokenPort = new URL(issuer.tokenUrl).port;
    expect(connects.sort()).toEqual([`127.0.0.1:${target.port}`, `127.0.0.1:${tokenPort}`].sort());
    expect(issuer.tokenRequests).toBe(1);
    expect(target.requests[0]!.headers.authorization).toMatch(/^Bearer \S+$/);
  });
});

describe("HOOKLINE_PROXY_URL and --proxy-url", () => {
  const base = { port: "0", database: ":memory:" };

  it("takes an http(s) proxy URL, the flag over the variable", () => {
    expect(loadConfig(base, { HOOKLINE_PROXY_URL: "http://proxy.internal:3128" }).proxyUrl).toBe(
      "http://proxy.internal:3128/",
    );
    const both = loadConfig(
      { ...base, proxyUrl: "http://127.0.0.1:8888" },
      { HOOKLINE_PROXY_URL: "http://proxy.internal:3128" },
    );
    expect(both.proxyUrl).toBe("http://127.0.0.1:8888/");
    expect(loadConfig(base, {}).proxyUrl).toBeUndefined();
  });

  it.each([
    ["not a URL", "proxy.internal:3128"],
    ["a SOCKS proxy", "socks5://proxy.internal:1080"],
    ["a path", "http://proxy.internal:3128/some/path"],
  ])("refuses %s, naming the setting and never the password", (_name, value) => {
    const withPassword = value.replace("proxy.internal", "user:pa55word@proxy.internal");
    expect(() => loadConfig(base, { HOOKLINE_PROXY_URL: withPassword })).toThrow(
      /--proxy-url \/ HOOKLINE_PROXY_URL: expected/,
    );
    try {
      loadConfig(base, { HOOKLINE_PROXY_URL: withPassword });
    } catch (error) {
      expect((error as Error).message).not.toContain("pa55word");
    }
  });
});
