import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

/** CPU model, cores, OS: what a reader needs to compare a report with their machine. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${os.availableParallelism()} cores, ${os.platform()} ${os.arch()}`;
}

/** A process's resident set, now and at its peak (VmRSS, VmHWM), in bytes; 0 once it is gone. */
export function memory(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS") * 1024, peak: kb("VmHWM") * 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

// /proc/<pid>/stat counts in clock ticks of 1/100 s (USER_HZ, 100 on every Linux build we run on).
const TICK_MS = 10;

/** CPU time (user + system) a process used so far, ms; its threads included. */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** User + system CPU time, ms, from a `stat` file of /proc (a process's or one thread's). */
function statCpuMs(path: string): number {
  try {
    const stat = readFileSync(path, "utf8");
    // The command name may contain spaces and parentheses: count fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * CPU time of each thread of a process so far, ms, by thread id: the main thread's id is the
 * process's. (Node names every thread "node": which one is which is read from how busy it is.)
 */
export function threadCpuMs(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    threads.set(Number(tid), statCpuMs(`/proc/${pid}/task/${tid}/stat`));
  }
  return threads;
}

/** Busy CPU time of the whole machine so far, ms. */
function machineBusyMs(): number {
  return os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);
}

export interface CpuSplit {
  /** Cores each named process used on average over the interval. */
  cores: Record<string, number>;
  /** Cores every other process on the machine used meanwhile. */
  others: number;
  /** CPU time each named process used over the interval, ms. */
  usedMs: Record<string, number>;
}

/**
 * Measures where the CPU went between `start()` and the returned `stop()`: per process of ours
 * (by pid) and for everything else on the machine, so a report can say whether the run had the
 * cores to itself.
 */
export function cpuMeter(pids: Record<string, number>): () => CpuSplit {
  const wall = performance.now();
  const busy = machineBusyMs();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  return () => {
    const elapsed = performance.now() - wall;
    const cores: Record<string, number> = {};
    const usedMs: Record<string, number> = {};
    let ours = 0;
    for (const [name, pid] of Object.entries(pids)) {
      const used = cpuMs(pid) - before[name]!;
      cores[name] = used / elapsed;
      usedMs[name] = used;
      ours += used;
    }
    return { cores, usedMs, others: Math.max(0, (machineBusyMs() - busy - ours) / elapsed) };
  };
}

/** Samples a process's VmRSS every `everyMs` until stopped; returns the highest sample. */
export function rssSampler(pid: number, everyMs = 50): () => number {
  let highest = memory(pid).rss;
  const timer = setInterval(() => {
    highest = Math.max(highest, memory(pid).rss);
  }, everyMs);
  return () => {
    clearInterval(timer);
    return Math.max(highest, memory(pid).rss);
  };
}
