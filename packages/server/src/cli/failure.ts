import { HooklineApiError, HooklineConnectionError } from "@hookline/webhooks/client";
import type { Command } from "commander";
import { color } from "./output.ts";

// Exit codes scripts can rely on: 0 done, 1 the server (or the network) said no, 2 the command
// line itself is wrong, in which case nothing was sent.
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line is wrong: nothing was sent. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command could not do what was asked, for a reason the message explains. */
export class CommandFailed extends Error {
  override readonly name = "CommandFailed";
}

/** Commander's own usage errors (unknown option, missing argument) exit 2 as well. */
export function usageExits(command: Command): Command {
  return command.exitOverride((error) => {
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });
}

/** Wraps a command's action: one clear line on stderr and the right exit code on failure. */
export function action<TArgs extends unknown[]>(run: (...args: TArgs) => Promise<void>) {
  return async (...args: TArgs): Promise<void> => {
    try {
      await run(...args);
    } catch (error) {
      process.stderr.write(`${color.red("hookline:")} ${describe(error)}\n`);
      process.exit(error instanceof UsageError ? EXIT.usage : EXIT.failed);
    }
  };
}

function describe(error: unknown): string {
  if (error instanceof UsageError || error instanceof CommandFailed) return error.message;
  if (error instanceof HooklineApiError) {
    const param = error.param === undefined ? "" : ` (param: ${error.param})`;
    const request = error.requestId === undefined ? "" : ` [${error.requestId}]`;
    return `${error.code}: ${error.message}${param}${request}`;
  }
  if (error instanceof HooklineConnectionError) {
    return `connection_failed: ${error.message}: is \`hookline serve\` running there?`;
  }
  throw error;
}
