import { type ChildProcess, spawn } from "node:child_process";

export interface CommandResult {
  code: number | null;
  output: string;
}

/**
 * The environment a user's shell would give a command: this run's own `npm_*` variables (set by
 * `npm test` for its script) are left out, or a child `npm` would take them as its configuration
 * (`npm_config_local_prefix` points at this workspace, for one).
 */
export function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(name) && !name.startsWith("HOOKLINE_")) {
      env[name] = value;
    }
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Starts a command in its own process group, so that stopping it stops what it started. */
export function startCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? userEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  return { child, output: () => output };
}

/**
 * Runs a command to its end and resolves with its exit code and output (stdout and stderr
 * interleaved). After `timeoutMs` its process group is killed and the promise rejects with
 * what it printed, so a stuck `npm install` fails the test with a reason instead of hanging it.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs: number },
): Promise<CommandResult> {
  const { child, output } = startCommand(command, args, options);
  return new Promise((resolveRun, reject) => {
    const timer = setTimeout(() => {
      stopGroup(child, "SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish in time:\n${output()}`));
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolveRun({ code, output: output() });
    });
  });
}

/** Signals a command started by `startCommand` and everything it started. */
export function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
