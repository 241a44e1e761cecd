import { type ChildProcess, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const cli = resolve(root, "packages/server/src/cli.ts");
export const builtCli = resolve(root, "packages/server/dist/cli.js");

/**
 * Runs the real `hookline serve` in a child process, from source (tsx) or, with `built`, from
 * the build as `npm start` runs it, and resolves once it prints its URL. The child can then be
 * killed like any deployed process.
 */
export async function spawnServe(
  args: string[],
  env: Record<string, string>,
  options: { built?: boolean } = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const entry =
    options.built === true ? [builtCli] : ["--conditions=source", "--import", "tsx", cli];
  const child = spawn(process.execPath, [...entry, "serve", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = () => {
      const match = /Hookline is running at (http:\/\/\S+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`hookline serve exited with ${code}:\n${output}`)),
    );
  });
  return { child, url, output: () => output };
}

/** Resolves when the child has exited, with its exit code and signal. */
export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolveExit) =>
    child.once("exit", (code, signal) => resolveExit({ code, signal })),
  );
}
