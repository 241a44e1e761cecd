import { type Command, Option } from "commander";
import { catalogTypes, findEventType } from "../catalog/catalog.ts";
import { FLOWS } from "../catalog/flows.ts";
import { parseDuration } from "../config/duration.ts";
import { type ConnectionFlags, connect, connectionOptions } from "./connection.ts";
import { resendOnce } from "./duplicate.ts";
import { integer } from "./endpoints.ts";
import { action, UsageError, usageExits } from "./failure.ts";
import { color, note, out, printTable } from "./output.ts";
import { parseOverride } from "./override.ts";
import { seededRandom } from "./shuffle.ts";
import { planEvents } from "./trigger-plan.ts";

interface TriggerFlags extends ConnectionFlags {
  override?: string[];
  tenant?: string;
  duplicate: string;
  reorder?: boolean;
  seed?: string;
  delay?: string;
  list?: boolean;
}

/** How the root key acts on one tenant (a tenant key acts on its own and needs no flag). */
const TENANT_HEADER = "Hookline-Tenant";

/** `hookline trigger <event-or-flow…>`: realistic payment events, with chaos for receivers. */
export function triggerCommand(program: Command): void {
  usageExits(
    connectionOptions(
      program
        .command("trigger [event-or-flow...]")
        .description(
          "send realistic payment events: one type, or a flow of them (--list shows all)",
        ),
    ),
  )
    .addOption(
      new Option(
        "--override <[type:]path=value>",
        "set a field of data.object (dot path; JSON value); repeatable",
      ).argParser((value: string, previous: string[] = []) => [...previous, value]),
    )
    .option("--tenant <id>", "send for this tenant (tn_…); default: the key's own, or the default")
    .option("--duplicate <n>", "deliver each event n times: the same event id, resent", "1")
    .option("--reorder", "send the events in a shuffled order (never the flow's own)")
    .option("--seed <n>", "seed of --reorder, to replay an order")
    .option("--delay <duration>", "wait between events, such as 500ms or 2s")
    .option("--list", "list the event types and flows, then exit")
    .action(
      action(async (names: string[], flags: TriggerFlags) => {
        if (flags.list) return list();
        if (names.length === 0)
          throw new UsageError("name an event type or a flow (`hookline trigger --list`)");
        const copies = integer("--duplicate", flags.duplicate);
        if (copies < 1 || copies > 100) throw new UsageError("--duplicate must be from 1 to 100");
        const delayMs = flags.delay === undefined ? 0 : parseDuration(flags.delay);
        if (delayMs === undefined)
          throw new UsageError(`--delay '${flags.delay}': expected a duration such as 500ms or 2s`);
        if (flags.tenant !== undefined && !/^tn_[0-9A-Za-z]{1,64}$/.test(flags.tenant)) {
          throw new UsageError(`--tenant '${flags.tenant}': expected a tenant id such as tn_acme`);
        }
        const seed =
          flags.seed === undefined
            ? Math.floor(Math.random() * 1e6)
            : integer("--seed", flags.seed);
        const overrides = (flags.override ?? []).map(parseOverride);
        const plan = planEvents(
          names,
          overrides,
          flags.reorder ? { reorder: seededRandom(seed) } : {},
        );
        const client = connect(
          flags,
          flags.tenant === undefined ? {} : { [TENANT_HEADER]: flags.tenant },
        );
        if (flags.reorder && !flags.json) note(color.dim(`reordered with --seed ${seed}`));

        for (const [i, planned] of plan.entries()) {
          if (i > 0 && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          const event = await client.events.create({ type: planned.type, data: planned.data });
          const subscribed = event.pending_webhooks ?? 0;
          report({ id: event.id, type: event.type, copy: 1, copies, endpoints: subscribed }, flags);
          for (let copy = 2; copy <= copies && subscribed > 0; copy++) {
            const resent = await resendOnce(client, event.id, copy - 1);
            report({ id: event.id, type: event.type, copy, copies, endpoints: resent }, flags);
          }
        }
      }),
    );
}

interface Sent {
  id: string;
  type: string;
  copy: number;
  copies: number;
  endpoints: number;
}

/** One line per event sent (and per resend): JSON lines with --json. */
function report(sent: Sent, flags: TriggerFlags): void {
  if (flags.json) {
    out(JSON.stringify(sent));
    return;
  }
  const to =
    sent.endpoints === 0
      ? color.yellow("no enabled endpoint subscribed")
      : `→ ${sent.endpoints} endpoint${sent.endpoints === 1 ? "" : "s"}`;
  const copy = sent.copies > 1 ? color.dim(` (copy ${sent.copy}/${sent.copies})`) : "";
  out(`${color.cyan(sent.type.padEnd(32))} ${sent.id}  ${to}${copy}`);
}

function list(): void {
  printTable(
    ["FLOW", "WHAT"],
    Object.entries(FLOWS).map(([name, flow]) => [
      name,
      `${flow.description}\n${color.dim(flow.steps.map((s) => s.type).join(" → "))}`,
    ]),
  );
  out();
  printTable(
    ["EVENT TYPE", "WHAT"],
    catalogTypes().map((type) => [type, findEventType(type)!.description]),
  );
}
