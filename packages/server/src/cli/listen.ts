import { HooklineApiError } from "@hookline/webhooks/client";
import type { Command } from "commander";
import type { EventSourceMessage } from "eventsource-parser";
import { connectionOptions, resolveConnection } from "./connection.ts";
import { action, EXIT, usageExits } from "./failure.ts";
import { type ListenApi, listenApi, type Report, type Session } from "./listen-api.ts";
import { type ListenFlags, type ListenOptions, listenOptions } from "./listen-flags.ts";
import { forward, type StreamedDelivery } from "./listen-forward.ts";
import { readEvents } from "./listen-stream.ts";
import { color, note, out, time } from "./output.ts";

/** Waits between reconnections: quick at first, then every 10 s while the server is away. */
const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000];

/** `hookline listen --forward-to <url>`: receive a server's deliveries on this machine. */
export function listenCommand(program: Command): void {
  connectionOptions(
    usageExits(
      program
        .command("listen")
        .description(
          "forward deliveries to a local URL through a stream, catching up on what was sent while away",
        ),
    ),
  )
    .option(
      "--forward-to <url>",
      "the local URL to deliver to, e.g. http://localhost:3000/webhooks",
    )
    .option("--events <types>", 'comma-separated types or prefixes, e.g. "invoice.*" [default *]')
    .option("--name <name>", "the session to open; the same name resumes it [default user-host]")
    .option("--timeout <duration>", "how long the local app may take, up to 1h [default 15s]")
    .action(action(async (flags: ListenFlags) => listen(flags)));
}

async function listen(flags: ListenFlags): Promise<void> {
  const options = listenOptions(flags);
  const api = listenApi(resolveConnection(flags));
  let session = await api.openSession(options.name, options.events);
  note(`${color.bold("Your webhook signing secret is")} ${session.secret} (^C to quit)`);

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      note("stopped: deliveries sent from now on wait for the next `hookline listen`");
      // Deliveries being forwarded are reported first (for up to STOP_GRACE_MS), with the stream
      // still open: the server counts an attempt whose listener left as unanswered, and the
      // next `hookline listen` would send it again although the local app got it.
      stopping = true;
      void settled(STOP_GRACE_MS).then(() => {
        stop.abort();
        process.exit(EXIT.ok);
      });
    });
  }

  for (let failures = 0; ; ) {
    let reason: string;
    try {
      const response = await api.openStream(session.id, options.timeoutMs, stop.signal);
      failures = 0;
      await readEvents(response.body as ReadableStream<Uint8Array>, (message) =>
        handle(message, session, options, api, flags.json === true),
      );
      reason = "the server ended the stream";
    } catch (error) {
      // A refused key or input will be refused again: say so and stop instead of retrying.
      if (error instanceof HooklineApiError && error.status !== 404 && error.status < 500) {
        throw error;
      }
      reason = (error as Error).message;
    }
    const wait = BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)] as number;
    note(color.yellow(`connection lost (${reason}); reconnecting in ${wait / 1000}s`));
    await new Promise((resolve) => setTimeout(resolve, wait));
    // Reopened each time: a server that lost the session (a new database) makes it again.
    session = await reopen(api, options, session);
  }
}

async function reopen(api: ListenApi, options: ListenOptions, before: Session): Promise<Session> {
  try {
    const session = await api.openSession(options.name, options.events);
    if (session.secret !== before.secret) {
      note(`${color.bold("The session is new; its signing secret is")} ${session.secret}`);
    }
    return session;
  } catch (error) {
    if (error instanceof HooklineApiError && error.status < 500) throw error;
    return before; // the stream's own connection error will say what is wrong
  }
}

async function handle(
  message: EventSourceMessage,
  session: Session,
  options: ListenOptions,
  api: ListenApi,
  json: boolean,
): Promise<void> {
  if (message.event === "ready") {
    note(
      `Ready! Forwarding ${options.events.join(",")} to ${options.forwardTo} (session ${options.name}, ${session.id})`,
    );
  } else if (message.event === "replaced") {
    note(color.red("another `hookline listen` took over this session; stopping"));
    process.exit(EXIT.failed);
  } else if (message.event === "delivery") {
    // After ^C nothing new is forwarded: the server takes it back when the stream closes.
    if (stopping) return;
    const delivery = JSON.parse(message.data) as StreamedDelivery;
    forwarding = (async () => {
      const report = await forward(delivery, options.forwardTo, options.timeoutMs);
      print(delivery, report, json);
      await send(api, session.id, report);
    })();
    try {
      await forwarding;
    } finally {
      forwarding = undefined;
    }
  }
}

/** How long ^C waits for deliveries being forwarded to be reported to the server. */
const STOP_GRACE_MS = 2_000;
/** The delivery being forwarded or reported: the stream hands them over one at a time. */
let forwarding: Promise<void> | undefined;
/** ^C was pressed: finish what is in flight, take nothing new. */
let stopping = false;

/** Resolves once the delivery in flight is reported (or failed), or after `graceMs`. */
function settled(graceMs: number): Promise<unknown> {
  if (forwarding === undefined) return Promise.resolve();
  return Promise.race([
    forwarding.catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
  ]);
}

/** One line per delivery: time, type, event id, what the local app answered, how long it took. */
function print(delivery: StreamedDelivery, report: Report, json: boolean): void {
  const type = (JSON.parse(delivery.body) as { type?: string }).type ?? "?";
  const at = time(Date.now() / 1000);
  if (json) {
    out(JSON.stringify({ time: at, type, event: delivery.event, ...report, attempt: undefined }));
    return;
  }
  const status =
    report.status === undefined
      ? color.red(`[${report.error?.kind ?? "error"}] ${report.error?.message ?? ""}`)
      : report.status >= 200 && report.status < 300
        ? color.green(`[${report.status}]`)
        : color.red(`[${report.status}]`);
  out(`${at}  ${type.padEnd(32)}  ${delivery.event}  ${status}  ${report.duration_ms} ms`);
}

/** Reports the answer; the attempt is recorded only once the server has it. */
async function send(api: ListenApi, sessionId: string, report: Report): Promise<void> {
  try {
    await api.report(sessionId, report);
  } catch (error) {
    const why = error instanceof HooklineApiError ? error.message : (error as Error).message;
    note(
      color.yellow(`the server did not take this answer (${why}); it will send the delivery again`),
    );
  }
}
