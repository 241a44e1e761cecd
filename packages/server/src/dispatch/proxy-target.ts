import { isIP } from "node:net";
import type { AddressPolicy } from "./address-guard.ts";
import { allowedAddresses, type Resolve } from "./guarded-lookup.ts";

/**
 * Where a request through the forward proxy goes: the URL with its host name replaced by an
 * address the guard allowed, and the `Host` to send (which also names the TLS server, so the
 * certificate is still checked against the name). undici's ProxyAgent asks the proxy to CONNECT
 * to the URL's host: given an address, the proxy connects to exactly the one checked here and
 * resolves nothing itself, so a name that resolves differently for the proxy (DNS rebinding)
 * cannot reach a private address. IP literals were checked by the sender already.
 */
export async function pinnedTarget(
  url: string,
  policy: AddressPolicy,
  resolve?: Resolve,
): Promise<{ url: string; host: string }> {
  const parsed = new URL(url);
  const host = parsed.host;
  if (isIP(parsed.hostname.replace(/^\[(.*)\]$/, "$1")) !== 0) return { url, host };
  const [first] = await allowedAddresses(parsed.hostname, 0, policy, resolve);
  parsed.hostname = first!.family === 6 ? `[${first!.address}]` : first!.address;
  return { url: parsed.toString(), host };
}
