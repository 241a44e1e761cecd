// Fan-out cost of endpoint options (issue 22), in one process: prepareEvent for one event and
// five subscribed endpoints, without options (the common case), with custom headers, and with a
// payload filter on each; and, when a copy of the code before the options is given beside it
// (src/ingest/prepare-event-before.ts), the same run on that. Ratios against the first line.
// Run: nice -n 15 npx tsx --conditions=source bench/endpoint-options-fanout.ts
import { existsSync } from "node:fs";
import type { DeliveryHandoff } from "../packages/server/src/ingest/create-event.ts";
import { prepareEvent } from "../packages/server/src/ingest/prepare-event.ts";
import type { EndpointRow } from "../packages/server/src/store/types.ts";
import { endpointRow } from "../packages/server/test/support/store-rows.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const EVENTS = Number(process.env.EVENTS ?? 50_000);
const handoff: DeliveryHandoff = {
  owner: "bench",
  leaseMs: 30_000,
  hasRoom: () => true,
  adopt: () => {},
  wake: () => {},
  resetEndpoint: () => {},
};
const endpoint = (i: number, more: Partial<EndpointRow> = {}) =>
  endpointRow(i, { url: `https://example.com/${i}`, metadata: {}, ...more });
const five = (more: Partial<EndpointRow> = {}) => [0, 1, 2, 3, 4].map((i) => endpoint(i, more));
const input = (n: number) => ({
  tenantId: "tn_default",
  type: "payment_intent.succeeded",
  data: { object: { id: `pi_${n}`, object: "payment_intent", amount: 1000 + n, currency: "eur" } },
  requestId: null,
  idempotencyKey: undefined,
});
type Prepare = typeof prepareEvent;
const cases: [string, Prepare, EndpointRow[]][] = [
  ["no options", prepareEvent, five()],
  ["custom headers", prepareEvent, five({ headers: { "X-Team": "billing" } })],
  ["filter (passes)", prepareEvent, five({ filter: { "data.object.amount": { $gte: 1000 } } })],
];
const before = new URL("../packages/server/src/ingest/prepare-event-before.ts", import.meta.url);
if (existsSync(before)) {
  const old = (await import(before.href)) as { prepareEvent: Prepare };
  cases.unshift(["before the options", old.prepareEvent, five()]);
}

const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  // Each round in another order, so that no case always runs first (or right after the GC).
  const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
  for (const [name, prepare, endpoints] of order) {
    const started = process.hrtime.bigint();
    for (let n = 0; n < EVENTS; n++) prepare(handoff, endpoints, input(n), 1_750_000_000_000);
    const us = Number(process.hrtime.bigint() - started) / 1000 / EVENTS;
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, us));
  }
}
const base = best.get(cases[0]![0])!;
for (const [name] of cases) {
  const us = best.get(name)!;
  console.log(`${name.padEnd(20)} ${us.toFixed(2)} µs/event  ×${(us / base).toFixed(3)}`);
}
