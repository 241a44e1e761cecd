import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// `hookline trigger`, `listen` and the admin commands talk to a server over HTTP: they must not
// load the server (serve.ts brings Fastify, both stores, better-sqlite3's native binding and the
// dispatcher), which cost every command its start-up time and made a broken native install
// break commands that never touch a database. Here a module hook refuses serve.ts outright.

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const refuseServe = `data:text/javascript,${encodeURIComponent(`
  import { register } from "node:module";
  register("data:text/javascript," + encodeURIComponent(
    "export async function resolve(specifier, context, next) {" +
    "  if (/(^|\\\\/)serve\\\\.ts$/.test(specifier)) throw new Error('serve.ts was loaded');" +
    "  return next(specifier, context);" +
    "}"));
`)}`;

function cli(args: string[]) {
  return spawnSync(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      "--import",
      refuseServe,
      "packages/server/src/cli.ts",
      ...args,
    ],
    { cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
  );
}

it.each(
  [
    ["--help"],
    ["trigger", "--help"],
    ["listen", "--help"],
    ["endpoints", "list", "--help"],
    ["recover", "--help"],
  ].map((args) => [args.join(" "), args] as const),
)("runs `hookline %s` without loading the server", (_name, args) => {
  const result = cli(args);
  expect(result.stderr).not.toContain("serve.ts was loaded");
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/Usage: hookline/);
});

it("still refuses serve.ts here, so the test above can fail: `hookline serve` loads it", () => {
  const result = cli(["serve", "--port", "0", "--database", ":memory:"]);
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain("serve.ts was loaded");
});
