import type { Command } from "commander";
import { type ConnectionFlags, connect, connectionOptions } from "./connection.ts";
import { action, CommandFailed } from "./failure.ts";
import { color, out, printFields, printJson } from "./output.ts";

interface TestFlags extends ConnectionFlags {
  type?: string;
}

/**
 * `hookline endpoints test <id> [--type]`: one signed example event to that endpoint, and what
 * it answered. Exits 1 when the endpoint did not accept it, so a deploy script can check a
 * receiver before subscribing it to real traffic.
 */
export function endpointTestCommand(group: Command): void {
  connectionOptions(
    group
      .command("test <id>")
      .description("send one signed example event to the endpoint and show its answer"),
  )
    .option("--type <type>", "catalog event type of the example", "payment_intent.succeeded")
    .action(
      action(async (id: string, flags: TestFlags) => {
        const result = await connect(flags).endpoints.test(id, {
          ...(flags.type === undefined ? {} : { type: flags.type }),
        });
        const attempt = result.attempt;
        if (flags.json) printJson(result);
        else {
          out(
            result.succeeded
              ? color.green(`Delivered ${String(result.event.type)} to ${result.endpoint}`)
              : color.red(`Not delivered: ${String(result.event.type)} to ${result.endpoint}`),
          );
          printFields([
            ["event", String(result.event.id)],
            ["status", attempt.status_code],
            ["duration", `${attempt.duration_ms} ms`],
            [
              "error",
              attempt.error === null ? null : `${attempt.error.kind}: ${attempt.error.message}`,
            ],
            ["response", attempt.response_body?.slice(0, 500)],
          ]);
        }
        if (!result.succeeded) {
          throw new CommandFailed(
            `the endpoint did not accept the test event (${attempt.error?.message ?? "no 2xx"})`,
          );
        }
      }),
    );
}
