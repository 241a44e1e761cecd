/**
 * Where a contender's server spent its CPU, from the `.cpuprofile` that `handler.ts --profile
 * <dir>` wrote: a flame graph folded to one line per frame of the SDK.
 *
 *   npx tsx packages/webhooks/bench/handler/profile-summary.ts <dir or file>
 *
 * Each busy sample is charged to the innermost `@hookline/webhooks` function on its stack (so the
 * WebCrypto calls `verifyAsync` makes count as `verifyAsync`), or, when no SDK function is on the
 * stack, to its leaf frame (the HTTP parser, socket writes, garbage collection…).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface Frame {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Frame[];
  samples: number[];
  timeDeltas: number[];
}

const path = process.argv[2] ?? ".";
const files = statSync(path).isFile()
  ? [path]
  : readdirSync(path)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => join(path, f));

const name = (frame: Frame) => {
  const where = frame.callFrame.url.replace(/^.*\/(node_modules|packages)\//, "");
  return `${frame.callFrame.functionName || "(anonymous)"} ${where}`;
};
const isSdk = (frame: Frame) => frame.callFrame.url.includes("packages/webhooks/src/");

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const charged = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === "(idle)") return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    busy += ms;
    let frame: Frame | undefined = leaf;
    while (frame !== undefined && !isSdk(frame)) frame = byId.get(parent.get(frame.id) ?? -1);
    const key = frame ? `sdk: ${name(frame)}` : name(leaf);
    charged.set(key, (charged.get(key) ?? 0) + ms);
  });
  if (busy < 1000) continue; // the tsx loader's thread
  console.log(`\n${file}: ${(busy / 1000).toFixed(1)} s busy`);
  for (const [key, ms] of [...charged].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`  ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
}
