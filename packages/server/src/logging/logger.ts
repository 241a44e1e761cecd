import { Writable } from "node:stream";
import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import { DEFAULT_TENANT } from "../api/context.ts";

export type { Logger };

/** The fields that name what a log line is about; the words of docs/architecture.md. */
export const RESOURCE_FIELDS = ["event_id", "delivery_id", "endpoint_id"] as const;

export interface LoggerOptions {
  /** A pino level (HOOKLINE_LOG_LEVEL): `debug`, `info`, `warn`, `error`, `silent`. */
  level: string;
  /** Where lines go; standard output by default. */
  destination?: DestinationStream;
  /** Human-readable lines instead of JSON; by default, when standard output is a terminal. */
  pretty?: boolean;
}

/**
 * The process logger: pino JSON lines, one object per line, for whatever collects them; on a
 * terminal, pretty lines for people instead.
 *
 * Every line about an event, delivery or endpoint also names its `tenant`. Until tenants arrive
 * (issue 9) there is one, so a line that names a resource and no tenant gets the default one.
 * Code that knows the tenant binds it (a child logger or the line's own fields), which wins.
 */
export function createLogger(options: LoggerOptions): Logger {
  const human = options.pretty ?? (options.destination === undefined && process.stdout.isTTY);
  const settings = {
    level: options.level,
    mixin: (fields: object, _level: number, logger: Logger) =>
      RESOURCE_FIELDS.some((name) => name in fields) &&
      !("tenant" in fields) &&
      !("tenant" in logger.bindings())
        ? { tenant: DEFAULT_TENANT }
        : {},
  };
  if (human) {
    const stream = pretty({
      colorize: options.destination === undefined,
      sync: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      ...(options.destination === undefined ? {} : { destination: asStream(options.destination) }),
    });
    return pino(settings, stream);
  }
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}

/** pino-pretty writes into a Node stream; pino itself takes anything with `write`. */
function asStream(destination: DestinationStream): Writable {
  if (destination instanceof Writable) return destination;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      destination.write(chunk.toString());
      done();
    },
  });
}
