import { describe, expect, it } from "vitest";
import { type AddressPolicy, checkAddress, parseNetworks } from "../src/dispatch/address-guard.ts";

// Pure checks on address strings: nothing here opens a socket.

const strict: AddressPolicy = { allowedNetworks: [], allowLoopback: false };

describe("refusing what is not public unicast", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1 is a loopback address"],
    ["127.255.0.9", "loopback"],
    ["::1", "::1 is a loopback address"],
    ["10.0.0.1", "10.0.0.1 is a private address"],
    ["172.16.5.4", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["169.254.169.254", "169.254.169.254 is a link-local address (the cloud metadata service)"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["224.0.0.251", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["192.0.2.10", "reserved"],
    ["198.51.100.1", "reserved"],
    ["203.0.113.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["240.0.0.1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["fc00::1", "unique-local"],
    ["fd00:ec2::254", "unique-local"],
    ["fec0::1", "site-local"],
    ["1::1", "outside the global unicast range"],
    ["not-an-ip", "not an IP address"],
  ])("refuses %s (%s)", (ip, reason) => {
    const check = checkAddress(ip, strict);
    expect(check.allowed).toBe(false);
    if (!check.allowed) expect(check.reason).toContain(reason);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"])(
    "allows the public address %s",
    (ip) => expect(checkAddress(ip, strict)).toEqual({ allowed: true }),
  );
});

describe("IPv6 forms that carry an IPv4 address are judged by that address", () => {
  it.each([
    ["::ffff:127.0.0.1", "::ffff:127.0.0.1 embeds 127.0.0.1, a loopback address"],
    ["::ffff:10.0.0.1", "embeds 10.0.0.1, a private address"],
    ["::ffff:169.254.169.254", "cloud metadata"],
    ["::ffff:0:10.0.0.1", "embeds 10.0.0.1"], // SIIT (RFC 6145)
    ["::127.0.0.1", "embeds 127.0.0.1"], // deprecated IPv4-compatible
    ["64:ff9b::10.0.0.1", "embeds 10.0.0.1"], // NAT64 well-known prefix
    ["2002:7f00:1::1", "embeds 127.0.0.1"], // 6to4
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "embeds 127.0.0.1"], // Teredo, client inverted
    ["64:ff9b:1::1", "local-use NAT64"],
  ])("refuses %s", (ip, reason) => {
    const check = checkAddress(ip, strict);
    expect(check.allowed).toBe(false);
    if (!check.allowed) expect(check.reason).toContain(reason);
  });

  it.each(["::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1"])("allows %s", (ip) => {
    expect(checkAddress(ip, strict)).toEqual({ allowed: true });
  });
});

describe("what the operator allows", () => {
  const policy: AddressPolicy = {
    allowedNetworks: ["10.1.0.0/16", "fd12:3456::/32"],
    allowLoopback: false,
  };

  it("allows private addresses inside an allowed network, and only those", () => {
    expect(checkAddress("10.1.2.3", policy)).toEqual({ allowed: true });
    expect(checkAddress("::ffff:10.1.2.3", policy)).toEqual({ allowed: true });
    expect(checkAddress("fd12:3456::7", policy)).toEqual({ allowed: true });
    expect(checkAddress("10.2.0.1", policy).allowed).toBe(false);
    expect(checkAddress("fd12:3457::7", policy).allowed).toBe(false);
    expect(checkAddress("127.0.0.1", policy).allowed).toBe(false);
  });

  it("allows loopback, and only loopback, in --dev mode", () => {
    const dev = { allowedNetworks: [], allowLoopback: true };
    for (const ip of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      expect(checkAddress(ip, dev)).toEqual({ allowed: true });
    }
    expect(checkAddress("10.0.0.1", dev).allowed).toBe(false);
    expect(checkAddress("169.254.169.254", dev).allowed).toBe(false);
  });
});

describe("parseNetworks", () => {
  it("accepts IPv4 and IPv6 CIDRs, surrounding spaces tolerated", () => {
    const networks = parseNetworks(["10.0.0.0/8", " 192.168.1.10/32 ", "fd00::/8"]);
    expect(networks.map(([ip, bits]) => `${ip.toString()}/${bits}`)).toEqual([
      "10.0.0.0/8",
      "192.168.1.10/32",
      "fd00::/8",
    ]);
  });

  it.each(["10.0.0.0", "10/8", "010.0.0.0/8", "10.0.0.0/33", "fd00::/129", "example.com/24", ""])(
    "refuses %j, naming the entry and the accepted form",
    (entry) => {
      expect(() => parseNetworks(["10.0.0.0/8", entry])).toThrow(
        `invalid allowed network "${entry}": expected an address and a prefix length in CIDR form`,
      );
    },
  );
});
