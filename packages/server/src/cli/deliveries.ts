import type { DeliveryStatus, WebhookDelivery } from "@hookline/webhooks/client";
import { type Command, Option } from "commander";
import { type ConnectionFlags, connect, connectionOptions } from "./connection.ts";
import { action, usageExits } from "./failure.ts";
import { color, out, printFields, printJson, printTable, statusColor, time } from "./output.ts";

interface DeliveryFlags extends ConnectionFlags {
  event?: string;
  endpoint?: string;
  status?: DeliveryStatus;
  limit?: string;
}

export const DELIVERY_HEAD = ["ID", "EVENT", "ENDPOINT", "STATUS", "ATTEMPTS", "LAST", "NEXT"];

export const deliveryRows = (deliveries: WebhookDelivery[]) =>
  deliveries.map((d) => [
    d.id,
    d.event,
    d.endpoint,
    statusColor(d.status),
    d.attempt_count,
    d.last_status_code ?? d.last_error,
    time(d.next_attempt_at),
  ]);

const STATUSES = ["pending", "in_flight", "succeeded", "failed", "cancelled", "skipped"];

/** `hookline deliveries list|get|retry`. */
export function deliveriesCommand(program: Command): void {
  const group = usageExits(
    program
      .command("deliveries")
      .description("inspect and retry deliveries (one event owed to one endpoint)"),
  );

  connectionOptions(group.command("list").description("list deliveries, newest first"))
    .option("--event <id>", "of this event")
    .option("--endpoint <id>", "to this endpoint")
    .addOption(new Option("--status <status>").choices(STATUSES))
    .option("--limit <n>", "how many (1-100)", "10")
    .action(
      action(async (flags: DeliveryFlags) => {
        const page = await connect(flags).deliveries.list({
          limit: Number(flags.limit),
          ...(flags.event === undefined ? {} : { event: flags.event }),
          ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
          ...(flags.status === undefined ? {} : { status: flags.status }),
        });
        if (flags.json) return printJson(page);
        printTable(DELIVERY_HEAD, deliveryRows(page.data));
      }),
    );

  connectionOptions(
    group.command("get <id>").description("show a delivery with every attempt"),
  ).action(
    action(async (id: string, flags: DeliveryFlags) => {
      const d = await connect(flags).deliveries.retrieve(id);
      if (flags.json) return printJson(d);
      printFields([
        ["delivery", d.id],
        ["event", d.event],
        ["endpoint", d.endpoint],
        ["status", statusColor(d.status)],
        ["attempts", d.attempt_count],
        ["next attempt", time(d.next_attempt_at)],
      ]);
      out();
      printTable(
        ["ATTEMPT", "TIME", "STATUS", "DURATION", "ERROR"],
        (d.attempts ?? []).map((a) => [
          a.id,
          time(a.created),
          a.status_code,
          `${a.duration_ms} ms`,
          a.error === null ? null : `${a.error.kind}: ${a.error.message}`,
        ]),
      );
    }),
  );

  connectionOptions(group.command("retry <id>").description("make a delivery due now")).action(
    action(async (id: string, flags: DeliveryFlags) => {
      const d = await connect(flags).deliveries.retry(id);
      if (flags.json) return printJson(d);
      out(color.green(`${d.id} is due now (${d.attempt_count} attempts so far)`));
    }),
  );
}
