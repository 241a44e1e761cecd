import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `hookline` CLI from source in a child process. Asynchronous on purpose: the
 * server a test starts lives in the test's own process and must keep answering meanwhile.
 * `env` is layered over a clean slate of HOOKLINE_* variables and a NO_COLOR terminal.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  options: { input?: string } = {},
): Promise<CliResult> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("HOOKLINE_")),
  );
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "packages/server/src/cli.ts", ...args],
    { cwd: root, env: { ...inherited, NO_COLOR: "1", ...env }, stdio: ["pipe", "pipe", "pipe"] },
  );
  child.stdin.end(options.input ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolveRun, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hookline ${args.join(" ")} did not finish:\n${stdout}\n${stderr}`));
    }, 60_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}
