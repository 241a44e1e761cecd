import type { BatchIngestResult } from "./batch-ingest.ts";
import { type Part, type Run, TARGETS, verdict } from "./delivery-targets.ts";
import type { DrainResult } from "./drain.ts";
import { FAIL_TWICE_SCHEDULE, type FailTwiceResult } from "./fail-twice.ts";
import { FLAKY_SCHEDULE, FLAKY_SHARE, type FlakyResult } from "./flaky.ts";
import { int, ms, table } from "./stats.ts";

const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(2);
/** "4,980 of 5,000" when a run ran out of time, nothing when everything came. */
const shortfall = (complete: boolean, got: number, of: number) =>
  complete ? "" : ` (${int(got)} of ${int(of)} by then)`;

/** 20% of first attempts answered 500: Hookline's wall time against its own run without. */
export function flakyTable(runs: Run<FlakyResult>[]): Part {
  let misses = 0;
  const rows = runs.map((f) => {
    const bound = TARGETS.flakyWallFactor * f.clean.wallMs + TARGETS.flakyWallSlackMs;
    const met = f.flaky.complete && f.flaky.wallMs <= bound;
    if (!met) misses++;
    return [
      String(f.run),
      int(f.flaky.refused),
      seconds(f.clean.wallMs),
      `${seconds(f.flaky.wallMs)}${shortfall(f.flaky.complete, f.flaky.deliveries, f.events)}`,
      `≤ ${seconds(bound)}`,
      verdict(met),
      int(f.flaky.perSecond),
      `${ms(f.flaky.latency.p50)} / ${ms(f.flaky.latency.p99)}`,
      `${seconds(f.loop.cleanWallMs)} / ${seconds(f.loop.flakyWallMs)}`,
    ];
  });
  const first = runs[0]!;
  const how = `${int(first.events)} events to one endpoint from ${first.clients} clients, \`HOOKLINE_RETRY_SCHEDULE=${FLAKY_SCHEDULE}\`. The receiver answers 500 at once to the first attempt of ${FLAKY_SHARE * 100}% of the events (chosen by a hash of the event id; later attempts succeed). The same Hookline first runs the same number of events with every attempt answered. Wall time is the first POST to the last receipt. _Loop_: the undici loop, retrying a 500 after the same waits (no jitter), without and with the same failures. Target: wall ≤ ${TARGETS.flakyWallFactor} × the run without failures + ${seconds(TARGETS.flakyWallSlackMs)} s.`;
  const text = table(
    [
      "run",
      "first attempts answered 500",
      "wall s, no failures",
      "wall s, 20% failing",
      "target",
      "result",
      "deliveries/s, 20% failing",
      "created→received p50 / p99 ms, 20% failing",
      "loop wall s: no failures / 20% failing",
    ],
    [true, true, true, true, false, false, true, true, true],
    rows,
  );
  return { text: `${how}\n\n${text}`, misses };
}

/** Every attempt 1 and 2 answered 500: all delivered on attempt 3, on the schedule. */
export function failTwiceTable(runs: Run<FailTwiceResult>[]): Part {
  let misses = 0;
  const rows = runs.map((f) => {
    const met = f.onThirdAttempt === f.events && f.wallMs <= TARGETS.failTwiceMs;
    if (!met) misses++;
    return [
      String(f.run),
      `${f.delivered} of ${f.events}`,
      String(f.onThirdAttempt),
      `${seconds(f.wallMs)}${f.complete ? "" : " (still waiting)"}`,
      verdict(met),
      seconds(f.loopWallMs),
    ];
  });
  const how = `${runs[0]!.events} events to one endpoint that answers 500 to the first 2 attempts of each, \`HOOKLINE_RETRY_SCHEDULE=${FAIL_TWICE_SCHEDULE}\`, after a warm-up of 100 events answered at once. Target: all ${runs[0]!.events} delivered on attempt 3 within ${seconds(TARGETS.failTwiceMs)} s of the first POST. _Loop_: the undici loop retrying after the same waits.`;
  const text = table(
    [
      "run",
      "delivered",
      "on attempt 3",
      "first POST → last receipt s",
      "result",
      "loop: first POST → last receipt s",
    ],
    [true, true, true, true, false, true],
    rows,
  );
  return { text: `${how}\n\n${text}`, misses };
}

/** The held backlog of a disabled endpoint, recovered: the dispatcher alone against the loop. */
export function drainTable(runs: Run<DrainResult>[]): Part {
  let misses = 0;
  const rows = runs.map((d) => {
    const ratio = d.perSecond / d.limitPerSecond;
    const met = d.complete && ratio >= TARGETS.drainRatio;
    if (!met) misses++;
    return [
      String(d.run),
      int(d.limitPerSecond),
      int(d.recoverMs),
      `${int(d.perSecond)}${shortfall(d.complete, d.delivered, d.events)}`,
      seconds(d.wallMs),
      ratio.toFixed(3),
      `${int(d.cpuUs.hookline.all)} (${int(d.cpuUs.hookline.main)} + ${int(d.cpuUs.hookline.sender)} + ${int(d.cpuUs.hookline.rest)}) / ${int(d.cpuUs.loop)}`,
      `${int(d.cpuUs.receiverHookline)} / ${int(d.cpuUs.receiverLoop)}`,
      verdict(met),
    ];
  });
  const how = `${int(runs[0]!.events)} events posted to one endpoint while it was disabled (\`POST /v1/webhook_endpoints/{id}\` with \`{"disabled": true}\`: each delivery is recorded \`skipped\`), then \`{"disabled": false}\` and \`POST /v1/webhook_endpoints/{id}/recover\` with \`{"since": 0}\`; no ingest runs while it drains. Hookline's deliveries/s: from the recover call to the last receipt. _Loop_: the undici loop sending the same count at 32 connections, in the same run. _CPU µs per delivery_: user + system time of Hookline's process over the drain (in brackets: its main thread, which claims and records; the sender's thread; the rest, mostly V8's garbage-collection helpers), against the driver's over the loop (it signs and sends what Hookline's sender thread does, without a store); the receiver's in each. Unlike the rates, these hardly move with the machine's other load. Target: ≥ ${TARGETS.drainRatio} × the loop.`;
  const text = table(
    [
      "run",
      "loop deliveries/s",
      "recover call ms",
      "hookline deliveries/s",
      "recover → last receipt s",
      "÷ loop",
      "CPU µs per delivery: hookline (main + sender + rest) / loop",
      "receiver CPU µs: hookline / loop",
      `result (≥ ${TARGETS.drainRatio})`,
    ],
    [true, true, true, true, true, true, true, true, false],
    rows,
  );
  return { text: `${how}\n\n${text}`, misses };
}

/** Issue 17: batch ingest to one endpoint against the loop of the same run. */
export function batchTable(runs: Run<BatchIngestResult>[]): Part {
  let misses = 0;
  const rows = runs.map((b) => {
    const ratio = b.perSecond / b.limitPerSecond;
    const met = b.complete && b.duplicates === 0 && ratio >= TARGETS.batchRatio;
    if (!met) misses++;
    const cores = b.cpu.cores;
    return [
      String(b.run),
      int(b.limitPerSecond),
      `${int(b.perSecond)}${shortfall(b.complete, b.delivered, b.events)}`,
      seconds(b.acceptedMs),
      seconds(b.wallMs),
      ratio.toFixed(3),
      `${(cores.hookline ?? 0).toFixed(2)} / ${(cores.receiver ?? 0).toFixed(2)} / ${(cores.driver ?? 0).toFixed(2)} / ${b.cpu.others.toFixed(2)}`,
      verdict(met),
    ];
  });
  const first = runs[0]!;
  const how = `${int(first.events)} events to one endpoint through \`POST /v1/events/batch\`, ${int(first.batchSize)} a batch, from ${first.clients} concurrent clients; Hookline's deliveries/s from the first batch posted to the last receipt. _Loop_: the undici loop sending the same count at 32 connections, in the same run. Target: ≥ ${TARGETS.batchRatio} × the loop, no duplicates.`;
  const text = table(
    [
      "run",
      "loop deliveries/s",
      "hookline deliveries/s",
      "all accepted after s",
      "first batch → last receipt s",
      "÷ loop",
      "cores: hookline / receiver / driver / others",
      `result (≥ ${TARGETS.batchRatio})`,
    ],
    [true, true, true, true, true, true, false, false],
    rows,
  );
  return { text: `${how}\n\n${text}`, misses };
}
