// One contender's server, in its own process so that contenders share no heap, JIT state or
// event loop. Usage: node --import tsx server.ts <contender name>; env HOOKLINE_BENCH_SECRET,
// HOOKLINE_BENCH_SQLITE, HOOKLINE_BENCH_DATABASE_URL. Prints {"port": n} once listening.
import { contenders } from "./contenders.ts";

const name = process.argv[2];
const contender = contenders.find((c) => c.name === name);
if (contender === undefined) throw new Error(`no contender named ${String(name)}`);
const port = await contender.start({
  secret: process.env.HOOKLINE_BENCH_SECRET!,
  sqlitePath: process.env.HOOKLINE_BENCH_SQLITE!,
  databaseUrl: process.env.HOOKLINE_BENCH_DATABASE_URL,
});
process.stdout.write(`${JSON.stringify({ port })}\n`);
// Exit normally on the orchestrator's SIGINT, so --cpu-prof writes its profile.
process.on("SIGINT", () => process.exit(0));
