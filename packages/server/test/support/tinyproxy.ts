// A real forward proxy: Debian's tinyproxy, started on a loopback port with a config file
// written here, stopped by its PID. CI installs it (.ci/run); missing, the test fails.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "./raw-receiver.ts";

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The CONNECT requests it logged, as `host:port`. */
  connects(): string[];
  stop(): Promise<void>;
}

function tinyproxyPath(): string {
  try {
    return execFileSync("sh", ["-c", "command -v tinyproxy"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("tinyproxy is not installed: apt-get install -y tinyproxy (.ci/run does)");
  }
}

/** `extra`: more config lines, such as `ConnectPort 443`. */
export async function startTinyproxy(extra: readonly string[] = []): Promise<ForwardProxy> {
  const binary = tinyproxyPath();
  const dir = mkdtempSync(join(tmpdir(), "hookline-proxy-"));
  const port = await closedPort();
  const log = join(dir, "tinyproxy.log");
  // No ConnectPort line: CONNECT to every port (the receivers' ports are ephemeral). Only
  // loopback may use it, and it listens on loopback only.
  writeFileSync(
    join(dir, "tinyproxy.conf"),
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 30",
      "MaxClients 50",
      "Allow 127.0.0.1",
      `LogFile "${log}"`,
      "LogLevel Connect",
      "DisableViaHeader Yes",
      ...extra,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(binary, ["-d", "-c", join(dir, "tinyproxy.conf")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitForPort(port, child, () => stderr);
  return {
    url: `http://127.0.0.1:${port}`,
    connects() {
      let text = "";
      try {
        text = readFileSync(log, "utf8");
      } catch {
        return [];
      }
      return [...text.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map(
        (m) => m[1]!,
      );
    },
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(child.pid, "SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`tinyproxy did not listen on ${port}: ${stderr()}`);
}
