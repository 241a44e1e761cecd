import { afterEach, describe, expect, it } from "vitest";
import type { AddressPolicy } from "../src/dispatch/address-guard.ts";
import type { Resolve } from "../src/dispatch/guarded-lookup.ts";
import { createSender, type Sender } from "../src/dispatch/send.ts";
import { type Receiver, startReceiver } from "./support/raw-receiver.ts";
import { sendRequest } from "./support/send-request.ts";

// The SSRF guard as the sender applies it. Every target here is loopback: blocking is proven by
// refusing loopback under a policy that does not allow it, never by aiming at a real address.

const strict: AddressPolicy = { allowedNetworks: [], allowLoopback: false };
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function receiver(options?: { host?: string; port?: number }): Promise<Receiver> {
  const started = await startReceiver(undefined, options);
  opened.push(started);
  return started;
}

function sender(policy: AddressPolicy, resolve?: Resolve): Sender {
  const created = createSender({ timeoutMs: 2_000, policy, ...(resolve ? { resolve } : {}) });
  opened.push(created);
  return created;
}

const attempt = (url: string) => sendRequest(url);

describe("refusing loopback when the policy does not allow it", () => {
  const spellings = [
    ["an IPv4 literal", (port: number) => `http://127.0.0.1:${port}/`],
    ["a host name resolved at connect time", (port: number) => `http://localhost:${port}/`],
    ["a bracketed IPv6 literal", (port: number) => `http://[::1]:${port}/`],
    ["an IPv4-mapped IPv6 literal", (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ["a decimal IPv4 spelling", (port: number) => `http://2130706433:${port}/`],
    ["a hex IPv4 spelling", (port: number) => `http://0x7f000001:${port}/`],
    ["an octal IPv4 spelling", (port: number) => `http://0177.0.0.1:${port}/`],
    ["a shortened IPv4 spelling", (port: number) => `http://127.1:${port}/`],
    ["an IPv4-compatible IPv6 literal", (port: number) => `http://[::127.0.0.1]:${port}/`],
    [
      "the unspecified IPv4 address (Linux connects it to loopback)",
      (port: number) => `http://0.0.0.0:${port}/`,
    ],
    ["the unspecified IPv6 address", (port: number) => `http://[::]:${port}/`],
    [
      "a user name that looks like a host",
      (port: number) => `http://example.com@127.0.0.1:${port}/`,
    ],
  ] as const;

  it.each(spellings)("refuses %s without sending anything", async (_name, url) => {
    const target = await receiver();
    const outcome = await sender(strict).send(attempt(url(target.port)));
    expect(outcome).toMatchObject({ kind: "failed", error: "address_blocked", retryable: false });
    if (outcome.kind === "failed") expect(outcome.message).toMatch(/loopback|unspecified/);
    expect(outcome.requestHeaders["content-type"]).toBe("application/json");
    expect(target.requests).toHaveLength(0);
    expect(target.connections).toBe(0);
  });
});

describe("--https-only", () => {
  it("refuses a plain http target even where the address is allowed, without connecting", async () => {
    const target = await receiver();
    const policy: AddressPolicy = { allowedNetworks: [], allowLoopback: true, httpsOnly: true };
    const outcome = await sender(policy).send(attempt(`http://127.0.0.1:${target.port}/`));
    expect(outcome).toMatchObject({ kind: "failed", error: "address_blocked", retryable: false });
    if (outcome.kind === "failed") expect(outcome.message).toMatch(/https-only/);
    expect(target.connections).toBe(0);
  });
});

describe("allowing what the operator allowed", () => {
  it("delivers to loopback when 127.0.0.0/8 is an allowed network", async () => {
    const target = await receiver();
    const send = sender({ allowedNetworks: ["127.0.0.0/8"], allowLoopback: false });
    for (const host of ["127.0.0.1", "localhost"]) {
      expect(await send.send(attempt(`http://${host}:${target.port}/`))).toMatchObject({
        kind: "delivered",
      });
    }
    expect(target.requests).toHaveLength(2);
  });

  it("delivers to loopback in --dev mode (allowLoopback)", async () => {
    const target = await receiver();
    const outcome = await sender({ allowedNetworks: [], allowLoopback: true }).send(
      attempt(`http://localhost:${target.port}/`),
    );
    expect(outcome.kind).toBe("delivered");
  });

  it("connects only to the allowed one of several resolved addresses", async () => {
    // 127.0.0.2 and 127.0.0.1 on one port; the name resolves to both, the refused one first.
    const decoy = await receiver({ host: "127.0.0.2" });
    const target = await receiver({ port: decoy.port });
    const resolve: Resolve = async () => [
      { address: "127.0.0.2", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ];
    const send = sender({ allowedNetworks: ["127.0.0.1/32"], allowLoopback: false }, resolve);
    const outcome = await send.send(attempt(`http://receiver.test:${decoy.port}/`));
    expect(outcome.kind).toBe("delivered");
    expect(target.requests).toHaveLength(1);
    expect(decoy.connections).toBe(0);
  });

  it("judges a name with a trailing dot by the address it resolves to", async () => {
    const target = await receiver();
    const resolve: Resolve = async () => [{ address: "127.0.0.1", family: 4 }];
    const outcome = await sender(strict, resolve).send(
      attempt(`http://receiver.test.:${target.port}/`),
    );
    expect(outcome).toMatchObject({ kind: "failed", error: "address_blocked" });
    expect(target.connections).toBe(0);
  });

  it("resolves once and connects to the address it checked: no DNS rebinding window", async () => {
    // The name answers an allowed address first and a refused one after: a guard that checked
    // one lookup and let the connection do its own would reach the decoy.
    const decoy = await receiver({ host: "127.0.0.2" });
    const target = await receiver({ port: decoy.port });
    let lookups = 0;
    const resolve: Resolve = async () => [
      { address: lookups++ === 0 ? "127.0.0.1" : "127.0.0.2", family: 4 },
    ];
    const send = sender({ allowedNetworks: ["127.0.0.1/32"], allowLoopback: false }, resolve);
    const outcome = await send.send(attempt(`http://rebinding.test:${decoy.port}/`));
    expect(outcome.kind).toBe("delivered");
    expect(lookups).toBe(1);
    expect(target.requests).toHaveLength(1);
    expect(decoy.connections).toBe(0);
  });

  it("refuses a name whose every address is refused, naming the host", async () => {
    const target = await receiver();
    const resolve: Resolve = async () => [{ address: "127.0.0.1", family: 4 }];
    const outcome = await sender(strict, resolve).send(
      attempt(`http://rebind.test:${target.port}/`),
    );
    expect(outcome).toMatchObject({ kind: "failed", error: "address_blocked", retryable: false });
    if (outcome.kind === "failed") expect(outcome.message).toMatch(/^rebind\.test .*loopback/);
    expect(target.connections).toBe(0);
  });
});

describe("name resolution failures", () => {
  it.each(["ENOTFOUND", "EAI_AGAIN"])("reports %s as a retryable dns_failure", async (code) => {
    const resolve: Resolve = async (hostname) => {
      throw Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname });
    };
    const outcome = await sender(strict, resolve).send(attempt("http://missing.test/"));
    expect(outcome).toMatchObject({ kind: "failed", error: "dns_failure", retryable: true });
  });
});

describe("configuration", () => {
  it("refuses to start with an invalid allowed network", () => {
    expect(() =>
      createSender({
        timeoutMs: 1000,
        policy: { allowedNetworks: ["10/8"], allowLoopback: false },
      }),
    ).toThrow(/"10\/8"/);
  });
});
