import { Hookline } from "@hookline/webhooks/client";
import { type Command, Option } from "commander";
import { UsageError } from "./failure.ts";
import { readProfile } from "./profile.ts";

export interface ConnectionFlags {
  url?: string;
  apiKey?: string;
  profile?: string;
  json?: boolean;
}

export const DEFAULT_URL = "http://localhost:8080";

/** The flags every command that talks to a server takes. */
export function connectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--url <url>", `server URL [HOOKLINE_URL, profile, default ${DEFAULT_URL}]`),
    )
    .addOption(new Option("--api-key <key>", "API key [HOOKLINE_API_KEY, profile]"))
    .addOption(
      new Option(
        "--profile <name>",
        "profile saved by `hookline login` [HOOKLINE_PROFILE, default default]",
      ),
    )
    .option("--json", "print JSON for scripts");
}

/** URL and key: flags win over HOOKLINE_URL / HOOKLINE_API_KEY, which win over the profile. */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; apiKey: string } {
  const named = flags.profile ?? (env.HOOKLINE_PROFILE?.trim() || undefined);
  const profile = readProfile(named ?? "default");
  if (named !== undefined && profile === undefined) {
    throw new UsageError(
      `no profile '${named}': create it with \`hookline login --profile ${named}\``,
    );
  }
  const url = flags.url ?? (env.HOOKLINE_URL?.trim() || profile?.url || DEFAULT_URL);
  const apiKey = flags.apiKey ?? (env.HOOKLINE_API_KEY?.trim() || profile?.api_key);
  if (apiKey === undefined || apiKey === "") {
    throw new UsageError(
      "no API key: pass --api-key, set HOOKLINE_API_KEY, or save one with `hookline login`",
    );
  }
  if (!/^https?:\/\//.test(url)) {
    throw new UsageError(`--url must be an http(s) URL such as ${DEFAULT_URL}, got '${url}'`);
  }
  return { url, apiKey };
}

/** The typed API client for the resolved server; `headers` are added to every request. */
export function connect(flags: ConnectionFlags, headers: Record<string, string> = {}): Hookline {
  const { url, apiKey } = resolveConnection(flags);
  const withHeaders: typeof fetch = (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...(init?.headers as Record<string, string>), ...headers },
    });
  return new Hookline({ url, apiKey, maxRetries: 1, fetch: withHeaders });
}
