import { hostname, userInfo } from "node:os";
import { parseDuration } from "../config/duration.ts";
import { DEFAULT_LISTEN_TIMEOUT_MS, MAX_LISTEN_TIMEOUT_MS } from "../listen/timeout.ts";
import { SESSION_NAME } from "../listen/url.ts";
import type { ConnectionFlags } from "./connection.ts";
import { UsageError } from "./failure.ts";

export interface ListenFlags extends ConnectionFlags {
  forwardTo?: string;
  events?: string;
  name?: string;
  timeout?: string;
}

export interface ListenOptions {
  forwardTo: string;
  events: string[];
  name: string;
  timeoutMs: number;
}

/** Checks what only this machine can check, before anything is sent to the server. */
export function listenOptions(flags: ListenFlags): ListenOptions {
  if (flags.forwardTo === undefined) {
    throw new UsageError(
      "--forward-to is required: the local URL to deliver to, such as http://localhost:3000/webhooks",
    );
  }
  let target: URL;
  try {
    target = new URL(flags.forwardTo);
  } catch {
    throw new UsageError(
      `--forward-to must be an absolute http(s) URL such as http://localhost:3000/webhooks, got '${flags.forwardTo}'`,
    );
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new UsageError(
      `--forward-to must be an http(s) URL such as http://localhost:3000/webhooks, got '${flags.forwardTo}'`,
    );
  }
  const timeoutMs =
    flags.timeout === undefined ? DEFAULT_LISTEN_TIMEOUT_MS : parseDuration(flags.timeout);
  if (timeoutMs === undefined || timeoutMs < 1000 || timeoutMs > MAX_LISTEN_TIMEOUT_MS) {
    throw new UsageError(
      `--timeout must be a duration from 1s to 1h, such as 30s or 30m, got '${flags.timeout}'`,
    );
  }
  const events = (flags.events ?? "*")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (events.length === 0) {
    throw new UsageError(
      '--events must name event types, such as "*" or "invoice.*,charge.succeeded"',
    );
  }
  const name = flags.name ?? defaultName();
  if (!SESSION_NAME.test(name)) {
    throw new UsageError(
      `--name must be at most 64 letters, digits, '.', '_' and '-', starting with a letter or digit, got '${name}'`,
    );
  }
  return { forwardTo: target.toString(), events, name, timeoutMs };
}

/**
 * One session per person and machine: a listener that comes back finds its backlog, and two
 * developers sharing a server do not take each other's deliveries.
 */
function defaultName(): string {
  let user = "";
  try {
    user = userInfo().username;
  } catch {
    // No user database entry (some containers): the host alone names the session.
  }
  const name = [user, hostname()]
    .filter(Boolean)
    .join("-")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 64);
  return name === "" ? "default" : name;
}
