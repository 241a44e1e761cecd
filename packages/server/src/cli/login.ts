import { createInterface } from "node:readline/promises";
import { Hookline } from "@hookline/webhooks/client";
import type { Command } from "commander";
import { DEFAULT_URL } from "./connection.ts";
import { action, UsageError, usageExits } from "./failure.ts";
import { color, out } from "./output.ts";
import { profilePath, saveProfile } from "./profile.ts";

interface LoginFlags {
  url?: string;
  apiKey?: string;
  profile?: string;
}

/** `hookline login`: checks a key against a server, then saves both as a profile. */
export function loginCommand(program: Command): void {
  usageExits(
    program.command("login").description("save a server URL and API key for the other commands"),
  )
    .option("--url <url>", `server URL [HOOKLINE_URL, default ${DEFAULT_URL}]`)
    .option("--api-key <key>", "API key [HOOKLINE_API_KEY; asked for when absent]")
    .option("--profile <name>", "save under this name", "default")
    .action(
      action(async (flags: LoginFlags) => {
        const url = flags.url ?? (process.env.HOOKLINE_URL?.trim() || DEFAULT_URL);
        if (!/^https?:\/\//.test(url))
          throw new UsageError(`--url must be an http(s) URL, got '${url}'`);
        const apiKey =
          flags.apiKey ?? (process.env.HOOKLINE_API_KEY?.trim() || (await ask("API key: ")));
        if (apiKey === "")
          throw new UsageError("no API key given: pass --api-key or set HOOKLINE_API_KEY");
        // A key the server refuses is never saved: the check throws and exits 1 first.
        await new Hookline({ url, apiKey, maxRetries: 1 }).endpoints.list({ limit: 1 });
        const name = flags.profile ?? "default";
        saveProfile(name, { url, api_key: apiKey });
        out(color.green(`Logged in to ${url}`));
        out(`Saved profile '${name}' to ${profilePath()} (mode 600)`);
      }),
    );
}

/** One line from standard input (a prompt on a terminal, a pipe otherwise); "" at its end. */
async function ask(question: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line.trim();
    return "";
  } finally {
    rl.close();
  }
}
