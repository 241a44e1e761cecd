import { catalogTypes, fixtureOf } from "../catalog/catalog.ts";
import { closest } from "../catalog/closest.ts";
import type { EventData } from "../catalog/entry.ts";
import { FLOWS, findFlow } from "../catalog/flows.ts";
import { newScenario, type Scenario } from "../catalog/scenario.ts";
import { UsageError } from "./failure.ts";
import { applyOverride, type Override } from "./override.ts";
import { shuffle } from "./shuffle.ts";

/** One event `trigger` will send. */
export interface PlannedEvent {
  type: string;
  data: EventData<Record<string, unknown>>;
}

/**
 * Every event of `names` (flows or event types), in order, with the overrides applied. All of
 * them are built before anything is sent, so that a bad name or override sends nothing. One
 * scenario serves every name: `trigger customer.created payment-succeeded` tells one story.
 */
export function planEvents(
  names: readonly string[],
  overrides: readonly Override[],
  options: { scenario?: Scenario; reorder?: () => number } = {},
): PlannedEvent[] {
  const s = options.scenario ?? newScenario();
  const planned = names.flatMap((name): PlannedEvent[] => {
    const flow = findFlow(name);
    if (flow !== undefined) {
      return flow.steps.map((step) => ({
        type: step.type,
        data: structuredClone(step.data?.(s) ?? fixtureOf(step.type, s)!) as PlannedEvent["data"],
      }));
    }
    const data = fixtureOf(name, s);
    if (data === undefined) throw new UsageError(unknownName(name));
    return [{ type: name, data }];
  });
  for (const override of overrides) {
    const targets = planned.filter((e) => override.type === undefined || e.type === override.type);
    if (targets.length === 0) {
      throw new UsageError(
        `--override '${override.text}': this trigger sends no ${override.type} event`,
      );
    }
    for (const event of targets) applyOverride(event.data.object, override);
  }
  return options.reorder === undefined
    ? planned
    : shuffle(planned, options.reorder, (a, b) => a.type === b.type);
}

function unknownName(name: string): string {
  const near = closest(name, [...Object.keys(FLOWS), ...catalogTypes()]);
  const hint = near === undefined ? "" : ` Did you mean '${near}'?`;
  return `unknown event type or flow '${name}'.${hint} \`hookline trigger --list\` shows them all.`;
}
