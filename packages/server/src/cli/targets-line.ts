import type { Config } from "../config/config.ts";

/**
 * The start banner's line on where deliveries may go, so that an operator reads what the SSRF
 * guard will do before the first delivery fails or, worse, succeeds where it should not.
 */
export function targetsLine(config: Pick<Config, "dev" | "allowedNetworks">): string {
  const allowed = config.allowedNetworks.join(", ");
  if (config.dev) {
    const also = allowed === "" ? "" : `; also allowed: ${allowed} (--allow-network)`;
    return `  --dev           loopback targets ALLOWED (development only)${also}`;
  }
  if (allowed !== "") {
    return `  targets         allowed: ${allowed} (--allow-network); other private and loopback addresses refused`;
  }
  return "  targets         private and loopback addresses refused (use --dev locally)";
}
