// A separate process claiming events in a shared SQLite inbox, for the cross-process test.
// Usage: node --import tsx claim-worker.ts <file> <count> <start>; prints "ready", waits for "go"
// on stdin, claims the event at its offset, prints "started", waits for "race", claims the rest
// and prints the claim statuses as JSON.
import { createInterface } from "node:readline";
import { createSqliteInbox } from "../../../src/receive/inbox/sqlite.ts";

const [file, count, start] = process.argv.slice(2);
const inbox = createSqliteInbox(file!);
const lines = createInterface({ input: process.stdin });
const input = lines[Symbol.asyncIterator]();
const waitFor = async (word: string) => {
  for (let line = await input.next(); !line.done; line = await input.next()) {
    if (line.value === word) return;
  }
};
process.stdout.write("ready\n");
await waitFor("go");
// Each worker starts at its own offset and wraps around, so the workers meet mid-run on the same
// ids. The first claim comes before the race: on a loaded machine one worker could otherwise
// finish every id before the others were scheduled at all.
const statuses: string[] = Array(Number(count));
for (let n = 0; n < Number(count); n++) {
  if (n === 1) {
    process.stdout.write("started\n");
    await waitFor("race");
  }
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
