import ipaddr from "ipaddr.js";

/**
 * Which delivery targets the sender may connect to. Everything that is not public unicast is
 * refused unless the operator allowed it: `--allow-network` adds CIDRs, `--dev` adds loopback.
 */
export interface AddressPolicy {
  /** CIDRs allowed even though they are private (`10.1.0.0/16`, `fd00::/8`). */
  allowedNetworks: readonly string[];
  /** `--dev`: allow 127.0.0.0/8 and ::1 (forwarding deliveries to a local app). */
  allowLoopback: boolean;
  /** `--https-only`: plain http targets are refused (production: nothing in clear on the wire). */
  httpsOnly?: boolean;
}

export type AddressCheck = { allowed: true } | { allowed: false; reason: string };

type IP = ipaddr.IPv4 | ipaddr.IPv6;
export type Network = [IP, number];

/** How each ipaddr.js range name reads in a refusal ("… is a private address"). */
const RANGE_WORDS: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT address (100.64.0.0/10)",
  private: "a private address",
  reserved: "a reserved address (documentation, benchmarking or future use)",
  benchmarking: "a benchmarking address",
  uniqueLocal: "a unique-local address (fc00::/7)",
  deprecatedSiteLocal: "a site-local address (fec0::/10)",
  discard: "a discard-only address (100::/64)",
  rfc6052: "a local-use NAT64 address (64:ff9b:1::/48)",
};

// Only 2000::/3 is allocated for global unicast; ipaddr.js calls the rest of the space
// "unicast" too, but nothing a webhook receiver could legitimately use lives there.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

// A policy's list is parsed once, not on every attempt (it was 2% of the server's CPU).
const parsed = new WeakMap<readonly string[], Network[]>();
function parsedNetworks(list: readonly string[]): Network[] {
  let networks = parsed.get(list);
  if (networks === undefined) {
    networks = parseNetworks(list);
    parsed.set(list, networks);
  }
  return networks;
}

/**
 * Decides whether the sender may connect to `ip` (a literal address, IPv6 without brackets).
 *
 * @example
 * checkAddress("127.0.0.1", { allowedNetworks: [], allowLoopback: false })
 * // → { allowed: false, reason: "127.0.0.1 is a loopback address" }
 */
export function checkAddress(ip: string, policy: AddressPolicy): AddressCheck {
  const text = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  let address: IP;
  try {
    // ipaddr.parse also accepts "0x7f.1" and "2130706433"; callers hand us resolver output or
    // WHATWG-normalised URL hosts, so those spellings never reach here in practice.
    address = ipaddr.parse(text);
  } catch {
    return { allowed: false, reason: `${ip} is not an IP address` };
  }
  const embedded = address.kind() === "ipv6" ? embeddedIPv4(address as ipaddr.IPv6) : undefined;
  const networks = parsedNetworks(policy.allowedNetworks);
  if (networks.some((net) => inNetwork(address, net) || (embedded && inNetwork(embedded, net)))) {
    return { allowed: true };
  }
  // An IPv6 address that carries an IPv4 one reaches that IPv4 host (through the kernel's
  // mapping, a NAT64 gateway or a tunnel relay), so it is judged as that IPv4 address.
  const target = embedded ?? address;
  const range = target.range();
  if (range === "unicast") {
    if (target.kind() === "ipv6" && !target.match(GLOBAL_UNICAST_V6)) {
      return { allowed: false, reason: `${ip} is outside the global unicast range 2000::/3` };
    }
    return { allowed: true };
  }
  if (range === "loopback" && policy.allowLoopback) return { allowed: true };
  let words = RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
  if (target.toString() === "169.254.169.254") words += " (the cloud metadata service)";
  const reason = embedded ? `${ip} embeds ${embedded.toString()}, ${words}` : `${ip} is ${words}`;
  return { allowed: false, reason };
}

/**
 * Validates `--allow-network` / `HOOKLINE_ALLOWED_NETWORKS` entries. IPv4 must be four-part
 * decimal: ipaddr.js would read "010.0.0.0/8" as octal 8.0.0.0/8, which nobody means.
 */
export function parseNetworks(list: readonly string[]): Network[] {
  return list.map((entry) => {
    const text = entry.trim();
    const isV4 = ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
    if (!isV4 && !(text.includes(":") && ipaddr.IPv6.isValidCIDR(text))) {
      throw new Error(
        `invalid allowed network "${entry}": expected an address and a prefix length in CIDR ` +
          `form, like 10.0.0.0/8, 192.168.1.10/32 or fd00::/8`,
      );
    }
    return ipaddr.parseCIDR(text);
  });
}

function inNetwork(address: IP, [base, bits]: Network): boolean {
  return address.kind() === base.kind() && address.match(base, bits);
}

/** The IPv4 address an IPv6 form stands for, if it is one of the forms that carry one. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const fromWords = (hi: number, lo: number) =>
    new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (address.range()) {
    case "ipv4Mapped": // ::ffff:a.b.c.d
    case "rfc6145": // ::ffff:0:a.b.c.d (SIIT)
      return fromWords(p[6]!, p[7]!);
    case "rfc6052": // 64:ff9b::a.b.c.d (well-known NAT64 prefix, RFC 6052 §2.1)
      return p[2] === 0 ? fromWords(p[6]!, p[7]!) : undefined;
    case "6to4": // 2002:AABB:CCDD::/48 (RFC 3056 §2)
      return fromWords(p[1]!, p[2]!);
    case "teredo": // 2001:0:server:flags:port:~client (RFC 4380 §4): the client is the peer
      return fromWords(p[6]! ^ 0xffff, p[7]! ^ 0xffff);
    case "unicast":
      // Deprecated IPv4-compatible ::a.b.c.d (RFC 4291 §2.5.5.1); "::" and "::1" are
      // classified as unspecified and loopback before reaching here.
      return p.slice(0, 6).every((word) => word === 0) ? fromWords(p[6]!, p[7]!) : undefined;
    default:
      return undefined;
  }
}
