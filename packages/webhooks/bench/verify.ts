/**
 * Throughput of `verify` against the reference verifiers (stripe, standardwebhooks) and against
 * the least work any verifier must do (a bare HMAC, then a bare HMAC + JSON.parse).
 *
 *   npm run bench:verify -w @hookline/webhooks              prints the report
 *   npm run bench:verify -w @hookline/webhooks -- --write   also rewrites its section of
 *                                                           docs/benchmarks.md (or BENCH_WRITE=1)
 *
 * Absolute ops/s depend on the machine and its load, so the targets are ratios between contenders
 * measured in the same process, interleaved: every round runs every contender for one time slice,
 * in a rotated order, so drift (clock boost, a noisy neighbour, GC pressure) spreads over all of
 * them instead of landing on whichever ran last. The report is the median over rounds; a ratio is
 * the median of its per-round ratios, so a round where the whole machine ran slow cancels out.
 * Nothing here asserts on time: a miss is reported, never thrown.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { table } from "../../../bench/stats.ts";
import { writeSection } from "../../../bench/write-docs.ts";
import { generateSecret, verify } from "../src/index.ts";
import { nodeKeys } from "../src/node/keys.ts";
import { signatureMatches } from "../src/node/verify.ts";
import { readSignedRequest } from "../src/request.ts";
import { median } from "./median.ts";
import { payload } from "./payment-event.ts";

// Many short slices rather than a few long ones: the median shrugs off more outlier rounds, and
// the two sides of a ratio are measured closer together in time.
const ROUNDS = 15;
const SLICE_MS = 150;
const WARMUP_MS = 400;
/** A batch runs between clock reads, so reading the clock costs nothing per operation. */
const BATCH_MS = 2;

// ---------------------------------------------------------------------------------------------
// Fixtures: each payload signed as Stripe and as Standard Webhooks would sign it, now.

const secret = generateSecret();
const stripe = new Stripe("sk_test_x");
const stripeSignature = stripe.webhooks.signature!;
const standardWebhook = new Webhook(secret);

interface Fixture {
  size: string;
  body: string;
  bodyBuffer: Buffer;
  timestamp: number;
  stripeHeader: string;
  stripeHeaders: Record<string, string>;
  standardHeaders: Record<string, string>;
  /** The Stripe `v1` signature as bytes, for the bare-HMAC baselines to compare against. */
  expected: Buffer;
}

function fixture(size: string, body: string): Fixture {
  const timestamp = Math.floor(Date.now() / 1000);
  const stripeHeader = stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    timestamp,
  });
  const webhookId = (JSON.parse(body) as { id: string }).id;
  return {
    size,
    body,
    bodyBuffer: Buffer.from(body),
    timestamp,
    stripeHeader,
    stripeHeaders: { "stripe-signature": stripeHeader },
    standardHeaders: {
      "webhook-id": webhookId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": standardWebhook.sign(webhookId, new Date(timestamp * 1000), body),
    },
    expected: Buffer.from(/v1=([0-9a-f]{64})/.exec(stripeHeader)![1]!, "hex"),
  };
}

const fixtures = [fixture("2 KB", payload(2 * 1024)), fixture("100 KB", payload(100 * 1024))];

// ---------------------------------------------------------------------------------------------
// Contenders. Each operation returns a number derived from its result, summed into `sink`, so no
// result is dead code; a successful verification returns a positive number.

type Operation = () => number;

const contenders: { name: string; operation(fixture: Fixture): Operation }[] = [
  {
    name: "hookline verify",
    operation: (f) => () => verify(f.body, f.stripeHeaders, secret).type.length,
  },
  {
    name: "hookline verify (Buffer body)",
    operation: (f) => () => verify(f.bodyBuffer, f.stripeHeaders, secret).type.length,
  },
  {
    name: "hookline verify (standard headers)",
    operation: (f) => () => verify(f.body, f.standardHeaders, secret).type.length,
  },
  {
    name: "stripe constructEvent",
    operation: (f) => () =>
      stripe.webhooks.constructEvent(f.body, f.stripeHeader, secret).type.length,
  },
  {
    name: "stripe verifyHeader",
    operation: (f) => () => (stripeSignature.verifyHeader(f.body, f.stripeHeader, secret) ? 1 : 0),
  },
  {
    name: "standardwebhooks verify",
    operation: (f) => () =>
      (standardWebhook.verify(f.body, f.standardHeaders) as { type: string }).type.length,
  },
  {
    // The least a Stripe-scheme check can do: one HMAC over "<t>.<body>", one constant-time compare.
    name: "limit: bare HMAC",
    operation: (f) => () => {
      const digest = createHmac("sha256", secret).update(`${f.timestamp}.${f.body}`).digest();
      return timingSafeEqual(digest, f.expected) ? 1 : 0;
    },
  },
  {
    // The least a verifier that returns the event can do.
    name: "floor: bare HMAC + JSON.parse",
    operation: (f) => () => {
      const digest = createHmac("sha256", secret).update(`${f.timestamp}.${f.body}`).digest();
      if (!timingSafeEqual(digest, f.expected)) return 0;
      return (JSON.parse(f.body) as { type: string }).type.length;
    },
  },
  {
    // verify minus JSON.parse: header parse, key lookup, HMAC, compare.
    name: "hookline signature check (internal)",
    operation: (f) => () =>
      signatureMatches(readSignedRequest(f.stripeHeaders, undefined), f.body, nodeKeys(secret))
        ? 1
        : 0,
  },
];

// ---------------------------------------------------------------------------------------------
// Measurement.

let sink = 0;

/** Runs `operation` in batches for at least `ms`; returns operations per second. */
function run(operation: Operation, batch: number, ms: number): number {
  let done = 0;
  let elapsed = 0;
  const start = performance.now();
  do {
    for (let i = 0; i < batch; i++) sink = (sink + operation()) | 0;
    done += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (done / elapsed) * 1000;
}

interface Cell {
  contender: string;
  size: string;
  operation: Operation;
  batch: number;
  samples: number[];
}

const cells: Cell[] = fixtures.flatMap((f) =>
  contenders.map((c) => ({
    contender: c.name,
    size: f.size,
    operation: c.operation(f),
    batch: 1,
    samples: [],
  })),
);

// A broken fixture would benchmark the failure path: check that every contender accepts its input.
for (const cell of cells) {
  if (!(cell.operation() > 0)) throw new Error(`${cell.contender} (${cell.size}) did not verify`);
}

// Warm-up: lets the JIT optimize each path, and sizes each batch to about BATCH_MS.
for (const cell of cells) {
  const start = performance.now();
  while (performance.now() - start < WARMUP_MS) {
    const opsPerSecond = run(cell.operation, cell.batch, 0);
    cell.batch = Math.max(1, Math.round((opsPerSecond * BATCH_MS) / 1000));
  }
}

// The ratios hold only if nothing else competes for the few cores, so the report says how much CPU
// other processes took during the rounds: all busy time on the machine minus this process's own.
const busyMs = () =>
  os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);
const roundsStart = { wall: performance.now(), busy: busyMs(), own: process.cpuUsage() };
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
  // Rotate the start by a different offset each round, so no cell always follows the same one.
  const offset = Math.floor((round * cells.length) / ROUNDS);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[(i + offset) % cells.length]!;
    cell.samples.push(run(cell.operation, cell.batch, SLICE_MS));
  }
}
process.stderr.write("\n");
const own = process.cpuUsage(roundsStart.own);
const otherCores =
  (busyMs() - roundsStart.busy - (own.user + own.system) / 1000) /
  (performance.now() - roundsStart.wall);

function cell(contender: string, size: string): Cell {
  const found = cells.find((c) => c.contender === contender && c.size === size);
  if (found === undefined) throw new Error(`no cell ${contender} at ${size}`);
  return found;
}

/** The median over rounds of numerator / denominator, each pair measured in the same round. */
function ratioOf(numerator: string, denominator: string, size: string): number {
  const below = cell(denominator, size).samples;
  return median(cell(numerator, size).samples.map((ops, round) => ops / below[round]!));
}

// ---------------------------------------------------------------------------------------------
// Report, as Markdown: the same text goes to the terminal and to docs/benchmarks.md.

const [small, large] = fixtures as [Fixture, Fixture];

function formatOps(contender: string, size: string): string {
  const samples = cell(contender, size).samples;
  const mid = median(samples);
  // Half the min–max range over the rounds: how far apart the rounds were, not a confidence bound.
  const spread = ((Math.max(...samples) - Math.min(...samples)) / 2 / mid) * 100;
  return `${Math.round(mid).toLocaleString("en-US")} ±${spread.toFixed(1)}%`;
}

interface Ratio {
  label: string;
  numerator: string;
  denominator: string;
  /** Minimum ratio per payload size; sizes without one are reported for information. */
  targets: Partial<Record<string, number>>;
}

const ratios: Ratio[] = [
  {
    label: "verify / floor",
    numerator: "hookline verify",
    denominator: "floor: bare HMAC + JSON.parse",
    targets: { [small.size]: 0.9 },
  },
  {
    label: "verify / stripe constructEvent",
    numerator: "hookline verify",
    denominator: "stripe constructEvent",
    targets: { [small.size]: 1.05 },
  },
  {
    // Same scheme and headers on both sides.
    label: "verify (standard headers) / standardwebhooks verify",
    numerator: "hookline verify (standard headers)",
    denominator: "standardwebhooks verify",
    targets: { [small.size]: 2.5 },
  },
  {
    label: "signature check / bare HMAC",
    numerator: "hookline signature check (internal)",
    denominator: "limit: bare HMAC",
    targets: { [small.size]: 0.9, [large.size]: 1.0 },
  },
];

function ratioRow(ratio: Ratio): { cells: string[]; misses: number } {
  const values = fixtures.map((f) => ratioOf(ratio.numerator, ratio.denominator, f.size));
  const targets: string[] = [];
  const results: string[] = [];
  let misses = 0;
  fixtures.forEach((f, i) => {
    const target = ratio.targets[f.size];
    if (target === undefined) return;
    const pass = values[i]! >= target;
    if (!pass) misses++;
    targets.push(`≥ ${target.toFixed(2)} at ${f.size}`);
    results.push(pass ? "PASS" : "MISS");
  });
  const cells = [ratio.label, ...values.map((v) => v.toFixed(3)), targets.join(", ")];
  return { cells: [...cells, results.join(", ")], misses };
}

const cpus = os.cpus();
const machine = `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${os.availableParallelism()} cores, ${os.platform()} ${os.arch()}`;
const sizes = fixtures.map((f) => `${f.size}: ${f.body.length.toLocaleString("en-US")} bytes`);
const rows = ratios.map(ratioRow);
const misses = rows.reduce((sum, row) => sum + row.misses, 0);

const report = `Command: \`npm run bench:verify -w @hookline/webhooks\` (\`-- --write\` updates this section; \`npm run bench -w @hookline/webhooks\` runs it before the handler benchmark)

- Date: ${new Date().toISOString().slice(0, 10)}
- Node: ${process.version}
- Machine: ${machine}; other processes used ${Math.max(0, otherCores).toFixed(2)} cores during the rounds
- Method: one process; each contender warmed up for ${WARMUP_MS} ms, then ${ROUNDS} rounds of a ${SLICE_MS} ms slice per contender, in an order rotated every round. Ops/s are medians over the rounds, ± half the range between the slowest and the fastest round; a ratio is the median of its per-round ratios (so it can differ slightly from the quotient of two medians).
- Payloads: a Stripe-like \`payment_intent.succeeded\` event pretty-printed with 2 spaces (${sizes.join(", ")}; the large one carries a long \`line_items\` list), signed now with a \`whsec_\` secret. The body is a string unless the row says otherwise.
- Baselines: _limit_ is \`createHmac\` over \`"<t>.<body>"\` plus \`timingSafeEqual\`, the least a Stripe-scheme check can do; _floor_ adds \`JSON.parse\`, the least a verifier that returns the event can do. _signature check (internal)_ is \`readSignedRequest\` + \`signatureMatches\`: \`verify\` without parsing the body.

${table(
  ["contender", ...fixtures.map((f) => `ops/s, ${f.size}`)],
  [false, ...fixtures.map(() => true)],
  contenders.map((c) => [c.name, ...fixtures.map((f) => formatOps(c.name, f.size))]),
)}

${table(
  ["ratio", ...fixtures.map((f) => f.size), "target", "result"],
  [false, ...fixtures.map(() => true), false, false],
  rows.map((row) => row.cells),
)}

${misses === 0 ? "All targets met." : `${misses} target${misses === 1 ? "" : "s"} missed.`}`;

console.log(report);
console.log(`\n(checksum ${sink})`);

if (process.argv.includes("--write") || process.env.BENCH_WRITE === "1") {
  const path = fileURLToPath(new URL("../../../docs/benchmarks.md", import.meta.url));
  writeSection(path, { name: "verify", title: "@hookline/webhooks: verify", report });
  console.log(`wrote ${path}`);
}
