import Table from "cli-table3";
import { createColors } from "picocolors";

// Everything the admin commands print goes through here, so that `--json` output stays pure
// JSON (human lines go to stderr when a command prints JSON) and colours follow one rule.

/** Colours on a terminal only; NO_COLOR (any value) turns them off, FORCE_COLOR on. */
export function colorsEnabled(env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY) {
  if ("NO_COLOR" in env && env.NO_COLOR !== "") return false;
  if ("FORCE_COLOR" in env && env.FORCE_COLOR !== "0") return true;
  return tty === true;
}

export const color = createColors(colorsEnabled());

export const out = (line = "") => process.stdout.write(`${line}\n`);
export const note = (line: string) => process.stderr.write(`${line}\n`);
export const warn = (line: string) => process.stderr.write(`${color.yellow(`warning: ${line}`)}\n`);

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Columns without borders, like `kubectl get`: easy to read and to grep. */
export function printTable(head: string[], rows: (string | number | null)[][]): void {
  if (rows.length === 0) {
    out(color.dim("(none)"));
    return;
  }
  const table = new Table({
    head: head.map((h) => color.bold(h)),
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  for (const row of rows) table.push(row.map((cell) => (cell === null ? "-" : String(cell))));
  // cli-table3 pads the last column too: trailing blanks only get in the way of grep and diff.
  out(
    table
      .toString()
      .split("\n")
      .map((line) => line.trimEnd())
      .join("\n"),
  );
}

/** One object as aligned `label  value` lines. */
export function printFields(fields: [string, string | number | null | undefined][]): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) {
    out(
      `${color.dim(label.padEnd(width))}  ${value === null || value === undefined ? "-" : value}`,
    );
  }
}

/** Unix seconds as `2026-01-01 09:30:00Z`: unambiguous, sortable, the same on every machine. */
export function time(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "-";
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

export function statusColor(status: string): string {
  if (status === "succeeded" || status === "enabled" || status === "healthy")
    return color.green(status);
  if (status === "failed" || status === "disabled" || status === "cancelled")
    return color.red(status);
  if (status === "skipped" || status === "failing" || status === "disabling_soon")
    return color.yellow(status);
  return status;
}

/** `1 delivery`, `3 deliveries`. */
export const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
