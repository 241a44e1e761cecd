// A separate process claiming events in a shared SQLite inbox, for the cross-process test.
// Usage: node --import tsx claim-worker.ts <file> <count> <start>; prints "ready", waits for "go" on stdin,
// then prints the claim statuses as JSON.
import { createInterface } from "node:readline";
import { createSqliteInbox } from "../../../src/receive/inbox/sqlite.ts";

const [file, count, start] = process.argv.slice(2);
const inbox = createSqliteInbox(file!);
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
for await (const line of lines) if (line === "go") break;
// Each worker starts at its own offset and wraps around, so the workers meet mid-run on the same
// ids instead of one finishing before the others start.
const statuses: string[] = Array(Number(count));
for (let n = 0; n < Number(count); n++) {
  const i = (n + Number(start)) % Number(count);
  const claim = await inbox.claim(
    { id: `evt_${i}`, type: "invoice.paid", payload: "{}" },
    { now: Date.now(), leaseMs: 60_000, token: `${process.pid}_${i}` },
  );
  statuses[i] = claim.status;
}
process.stdout.write(`${JSON.stringify(statuses)}\n`);
lines.close();
await inbox.close();
