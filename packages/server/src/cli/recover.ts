import type { Hookline } from "@hookline/webhooks/client";
import type { Command } from "commander";
import { type ConnectionFlags, connect, connectionOptions } from "./connection.ts";
import { action, usageExits } from "./failure.ts";
import { color, count, note, out, printJson, time } from "./output.ts";
import { parseWhen } from "./when.ts";

interface RecoverFlags extends ConnectionFlags {
  since: string;
  until?: string;
  wait: boolean;
}

const POLL_MS = 500;

/** `hookline recover <endpoint> --since …`: re-queue what failed, then watch it drain. */
export function recoverCommand(program: Command): void {
  usageExits(
    connectionOptions(
      program
        .command("recover <endpoint>")
        .description("re-queue an endpoint's failed and skipped deliveries, and watch them drain"),
    ),
  )
    .requiredOption("--since <when>", "unix seconds, an ISO date, or a duration ago (2h, 3d)")
    .option("--until <when>", "same forms; default now")
    .option("--no-wait", "return once re-queued, without the progress bar")
    .action(
      action(async (endpoint: string, flags: RecoverFlags) => {
        const since = parseWhen("--since", flags.since);
        const until = flags.until === undefined ? undefined : parseWhen("--until", flags.until);
        const client = connect(flags);
        const recovery = await client.endpoints.recover(endpoint, {
          since,
          ...(until === undefined ? {} : { until }),
        });
        if (flags.json) return printJson(recovery);
        out(
          `Re-queued ${color.bold(count(recovery.requeued, "delivery", "deliveries"))} to ${endpoint} (created ${time(recovery.since)} to ${time(recovery.until)})`,
        );
        if (flags.wait && recovery.requeued > 0) await watch(client, endpoint, recovery.requeued);
      }),
    );
}

/**
 * Polls the endpoint's health until nothing is pending or in flight. The count is the
 * endpoint's whole queue, so events sent meanwhile count too: the bar shows what is left to
 * send, never more than what was re-queued.
 */
async function watch(client: Hookline, endpoint: string, total: number): Promise<void> {
  let stopped = false;
  process.once("SIGINT", () => {
    stopped = true;
  });
  const tty = process.stderr.isTTY === true;
  for (;;) {
    const health = await client.endpoints.health(endpoint);
    const left = Math.min(total, health.deliveries.pending + health.deliveries.in_flight);
    if (tty)
      process.stderr.write(`\r${bar(total - left, total)}  failed ${health.deliveries.failed} `);
    if (left === 0) break;
    if (stopped) {
      note(`\nStopped watching: ${left} deliveries still queued; they will be sent without you.`);
      process.exit(130);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (tty) process.stderr.write("\n");
  out(color.green(`Delivered the queue: ${total}/${total} sent`));
}

function bar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}
