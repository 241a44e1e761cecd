import { readFileSync } from "node:fs";
import type { BatchEventParams, BatchItemResult } from "@hookline/webhooks/client";
import type { Command } from "commander";
import { type ConnectionFlags, connect, connectionOptions } from "./connection.ts";
import { action, CommandFailed, UsageError } from "./failure.ts";
import { color, count, out, printJson, printTable } from "./output.ts";

interface SendFlags extends ConnectionFlags {
  file: string;
  batchSize: string;
  idempotencyKey?: string;
}

/**
 * `hookline events send --file events.ndjson`: one event per line (`{"type", "data",
 * "idempotency_key"?}`), sent through `POST /v1/events/batch` in batches, with a progress bar
 * on stderr. A line that is not a JSON object stops the command before anything is sent; an
 * event the server refuses is listed by its line, and the command exits 1.
 */
export function sendEventsCommand(group: Command): void {
  connectionOptions(
    group.command("send").description("send the events of an NDJSON file (one event per line)"),
  )
    .requiredOption("--file <path>", 'the NDJSON file, or "-" for standard input')
    .option("--batch-size <n>", "events per request (1-1000)", "500")
    .option("--idempotency-key <key>", "makes a rerun of the same file create nothing twice")
    .action(
      action(async (flags: SendFlags) => {
        const size = Number(flags.batchSize);
        if (!Number.isInteger(size) || size < 1 || size > 1000) {
          throw new UsageError(
            `--batch-size must be a whole number from 1 to 1000, got '${flags.batchSize}'`,
          );
        }
        const { events, lines } = readEvents(flags.file);
        const progress = progressBar();
        const results = await connect(flags).events.createMany(events, {
          chunkSize: size,
          onProgress: progress,
          ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
        });
        const refused = results.flatMap((result, i) =>
          "error" in result ? [{ line: lines[i]!, error: result.error }] : [],
        );
        if (flags.json) printJson(results);
        else report(results, refused);
        if (refused.length > 0) {
          throw new CommandFailed(
            `${count(refused.length, "event", "events")} refused (see above)`,
          );
        }
      }),
    );
}

/** The events of the file and the line each came from; a line that is not one stops here. */
function readEvents(file: string): { events: BatchEventParams[]; lines: number[] } {
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --file ${file}: ${(error as Error).message}`);
  }
  const events: BatchEventParams[] = [];
  const lines: number[] = [];
  for (const [n, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UsageError(
        `${file}:${n + 1}: not JSON (${(error as Error).message}); nothing was sent`,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError(`${file}:${n + 1}: not a JSON object; nothing was sent`);
    }
    events.push(value as BatchEventParams);
    lines.push(n + 1);
  }
  if (events.length === 0) throw new UsageError(`${file}: no events in it; nothing was sent`);
  return { events, lines };
}

/** A bar redrawn in place on a terminal; a line per batch otherwise (CI logs). */
function progressBar(): (done: number, total: number) => void {
  const tty = process.stderr.isTTY === true;
  return (done, total) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
    if (tty) process.stderr.write(`\r${bar}${done === total ? "\n" : ""}`);
    else process.stderr.write(`${bar}\n`);
  };
}

function report(
  results: BatchItemResult[],
  refused: { line: number; error: { code: string; message: string; param?: string } }[],
): void {
  const accepted = results.length - refused.length;
  out(color.green(`Accepted ${count(accepted, "event", "events")} of ${results.length}`));
  if (refused.length === 0) return;
  printTable(
    ["LINE", "CODE", "PARAM", "MESSAGE"],
    refused.map(({ line, error }) => [
      line,
      error.code,
      // The server counts from the start of its batch; the line says where in the file.
      error.param?.replace(/^events\[\d+\]\.?/, "") || null,
      error.message,
    ]),
  );
}
