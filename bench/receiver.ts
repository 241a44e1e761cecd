import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FailurePolicy } from "./receiver-policy.ts";
import type { PolicyMessage, ReceiverMessage, StartMessage } from "./receiver-process.ts";

/** Every receipt a phase saw, by `<endpoint index>/<event id>`: the first receipt's hrtime, ns. */
export interface Phase {
  readonly received: Map<string, number>;
  /** For the same keys: which attempt got through (meaningful while a failure policy is set). */
  readonly attempts: Map<string, number>;
  /** Receipts of a key already received: at-least-once allows them, the report counts them. */
  duplicates: number;
  /** Requests the receiver answered 500 on purpose during the phase. */
  refused: number;
  /** Hrtime (ns) of the latest first receipt. */
  last: number;
  /** Resolves once `count` distinct deliveries arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number, what: string): Promise<void>;
  /**
   * Resolves true once `count` distinct deliveries arrived, false after `timeoutMs`: for the
   * scenarios whose slow outcome is itself the figure to report (a stalled drain).
   */
  settle(count: number, timeoutMs: number): Promise<boolean>;
  end(): void;
}

export interface Receiver {
  /** One URL per endpoint, each its own origin (its own port). */
  urls: string[];
  pid: number;
  /** Requests whose signature did not verify, over the receiver's whole life. */
  failures(): number;
  firstFailure(): string | undefined;
  phase(): Phase;
  /** Sets (or, with undefined, clears) the failure policy; resolves once the child applies it. */
  setPolicy(fail: FailurePolicy | undefined): Promise<void>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL("./receiver-process.ts", import.meta.url));

/** Starts the receiver child process with one verifying server per secret. */
export async function startReceiver(
  secrets: string[],
  options: { hang?: boolean; children: Set<ChildProcess> },
): Promise<Receiver> {
  const child = fork(script, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  options.children.add(child);
  let failures = 0;
  let firstFailure: string | undefined;
  let current: PhaseState | undefined;
  let policyApplied: (() => void) | undefined;

  const ports = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the receiver did not start in 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the receiver exited with ${code} at start`)));
    child.on("message", (message: ReceiverMessage) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve(message.ports);
        return;
      }
      if (message.type === "policy") {
        policyApplied?.();
        return;
      }
      failures += message.failures;
      firstFailure ??= message.firstFailure;
      if (current === undefined) return;
      // A rejected signature makes every figure meaningless: stop the phase at once.
      if (message.failures > 0) {
        current.fail(new Error(`the receiver rejected a signature: ${firstFailure}`));
      }
      current.refused += message.refused;
      for (let i = 0; i < message.ids.length; i++) {
        current.add(
          `${message.endpoints[i]}/${message.ids[i]}`,
          message.times[i]!,
          message.attempts[i]!,
        );
      }
    });
    const start: StartMessage = { type: "start", secrets, hang: options.hang === true };
    child.send(start);
  });

  return {
    urls: ports.map((port, i) => `http://127.0.0.1:${port}/e${i}`),
    pid: child.pid!,
    failures: () => failures,
    firstFailure: () => firstFailure,
    phase() {
      current = new PhaseState(() => {
        current = undefined;
      });
      return current;
    },
    setPolicy(fail) {
      return new Promise<void>((resolve) => {
        policyApplied = () => {
          policyApplied = undefined;
          resolve();
        };
        const message: PolicyMessage =
          fail === undefined ? { type: "policy" } : { type: "policy", fail };
        child.send(message);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
      options.children.delete(child);
    },
  };
}

class PhaseState implements Phase {
  readonly received = new Map<string, number>();
  readonly attempts = new Map<string, number>();
  duplicates = 0;
  refused = 0;
  last = 0;
  readonly end: () => void;
  private waiter: { count: number; resolve: () => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(end: () => void) {
    this.end = end;
  }

  add(key: string, time: number, attempt: number): void {
    if (this.received.has(key)) {
      this.duplicates++;
      return;
    }
    this.received.set(key, time);
    this.attempts.set(key, attempt);
    if (time > this.last) this.last = time;
    if (this.waiter !== undefined && this.received.size >= this.waiter.count) this.waiter.resolve();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.waiter?.reject(error);
  }

  async waitFor(count: number, timeoutMs: number, what: string): Promise<void> {
    if (!(await this.settle(count, timeoutMs))) {
      throw new Error(
        `${what}: ${this.received.size.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} deliveries received after ${timeoutMs / 1000} s`,
      );
    }
  }

  settle(count: number, timeoutMs: number): Promise<boolean> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.received.size >= count) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(false);
      }, timeoutMs);
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve(true);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(error);
        },
      };
    });
  }
}
