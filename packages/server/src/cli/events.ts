import type { Command } from "commander";
import { type ConnectionFlags, connect, connectionOptions } from "./connection.ts";
import { DELIVERY_HEAD, deliveryRows } from "./deliveries.ts";
import { action, usageExits } from "./failure.ts";
import { color, count, out, printJson, printTable, time } from "./output.ts";
import { sendEventsCommand } from "./send-events.ts";

interface EventFlags extends ConnectionFlags {
  type?: string;
  limit?: string;
  failed?: boolean;
  endpoint?: string;
}

/** `hookline events list|get|resend|send`. */
export function eventsCommand(program: Command): void {
  const group = usageExits(
    program.command("events").description("send, inspect and resend events"),
  );
  sendEventsCommand(group);

  connectionOptions(group.command("list").description("list events, newest first"))
    .option("--type <type>", 'an exact type or a prefix such as "invoice.*"')
    .option("--failed", "only events with a delivery that failed or is being retried")
    .option("--limit <n>", "how many (1-100)", "10")
    .action(
      action(async (flags: EventFlags) => {
        const page = await connect(flags).events.list({
          limit: Number(flags.limit),
          ...(flags.type === undefined ? {} : { type: flags.type }),
          ...(flags.failed ? { delivery_success: false } : {}),
        });
        if (flags.json) return printJson(page);
        printTable(
          ["ID", "TYPE", "CREATED", "PENDING"],
          page.data.map((e) => [e.id, e.type, time(e.created), e.pending_webhooks ?? 0]),
        );
      }),
    );

  connectionOptions(
    group.command("get <id>").description("show an event as its receivers get it"),
  ).action(
    action(async (id: string, flags: EventFlags) => {
      printJson(await connect(flags).events.retrieve(id));
    }),
  );

  connectionOptions(
    group.command("resend <id>").description("send an event again to every endpoint it went to"),
  )
    .option("--endpoint <id>", "to this endpoint only (created for it if it never went there)")
    .action(
      action(async (id: string, flags: EventFlags) => {
        const deliveries = await connect(flags).events.retry(
          id,
          flags.endpoint === undefined ? {} : { endpoint: flags.endpoint },
        );
        if (flags.json) return printJson(deliveries);
        out(
          color.green(
            `Resent ${id}: ${count(deliveries.data.length, "delivery", "deliveries")} due now`,
          ),
        );
        printTable(DELIVERY_HEAD, deliveryRows(deliveries.data));
      }),
    );
}
