import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { type AddressPolicy, checkAddress } from "./address-guard.ts";

/**
 * Raised when a delivery target is refused by the address guard. It travels through net and
 * undici untouched (as the error or in its `cause` chain); the sender recognises it by `code`,
 * which survives even if some layer re-wraps or structured-clones it.
 */
export class AddressBlockedError extends Error {
  readonly code = "HOOKLINE_ADDRESS_BLOCKED";
  override readonly name = "AddressBlockedError";
}

/** dns.lookup with `all: true`, the only form the guard needs; injectable for tests. */
export type Resolve = (hostname: string, family: number) => Promise<dns.LookupAddress[]>;

const systemResolve: Resolve = (hostname, family) =>
  dns.promises.lookup(hostname, { all: true, family, verbatim: true });

/**
 * The addresses of `hostname` that the policy allows, in the resolver's order; rejects with
 * AddressBlockedError when there is none, or with the resolver's error.
 */
export async function allowedAddresses(
  hostname: string,
  family: number,
  policy: AddressPolicy,
  resolve = systemResolve,
): Promise<dns.LookupAddress[]> {
  const addresses = await resolve(hostname, family);
  const refusals: string[] = [];
  const allowed = addresses.filter((entry) => {
    const check = checkAddress(entry.address, policy);
    if (!check.allowed) refusals.push(check.reason);
    return check.allowed;
  });
  if (allowed.length === 0) {
    const why = refusals.join("; ") || "no addresses";
    throw new AddressBlockedError(`${hostname} resolves to no allowed address: ${why}`);
  }
  return allowed;
}

/**
 * A `lookup` for net.connect (undici passes it through its `connect` options) that resolves the
 * host, drops every address the policy refuses, and hands net only the allowed ones. Checking
 * here, at connect time, rather than before the request is what defeats DNS rebinding: the
 * address we check is the address we connect to.
 *
 * net skips `lookup` for IP literals, so the sender checks those itself before requesting.
 */
export function guardedLookup(policy: AddressPolicy, resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    allowedAddresses(hostname, family, policy, resolve).then(
      (allowed) => {
        // net asks for every address (`all: true`) when it races IPv6 and IPv4
        // (autoSelectFamily, on by default since Node 20), and for one address otherwise.
        const first = allowed[0]!;
        if (options.all) callback(null, allowed);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}
