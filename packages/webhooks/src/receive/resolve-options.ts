import type { Event } from "../event.ts";
import { resolveVerifyOptions } from "../options.ts";
import { parseSecrets } from "../secrets.ts";
import type { Inbox } from "./inbox/inbox.ts";
import { createMemoryInbox } from "./inbox/memory.ts";
import {
  type ErrorContext,
  type EventHandler,
  type EventMap,
  HandlerMode,
  type WebhookHandlerOptions,
} from "./options.ts";
import { exponentialDelay } from "./retry-delay.ts";

export interface ResolvedOptions {
  secrets: string | readonly string[];
  verify: { scheme: "auto" | "stripe" | "standard"; toleranceSeconds: number };
  inbox: Inbox;
  mode: HandlerMode;
  handlerFor(type: string): EventHandler | undefined;
  onError(error: unknown, context: ErrorContext): void;
  onUnhandled(event: Event): void;
  leaseMs: number;
  maxAttempts: number;
  delayMs(attempt: number): number;
  now(): number;
}

/** Checks every option once, at creation, so a typo fails at startup and not on a webhook. */
export function resolveOptions<TEvents extends EventMap>(
  options: WebhookHandlerOptions<TEvents>,
): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createWebhookHandler needs an options object: { secrets, on }");
  }
  // Parsing now turns a mistyped secret into an error at startup; verify reparses (cached).
  parseSecrets(options.secrets);
  const { scheme, toleranceSeconds } = resolveVerifyOptions({
    ...(options.scheme === undefined ? {} : { scheme: options.scheme }),
    ...(options.toleranceSeconds === undefined
      ? {}
      : { toleranceSeconds: options.toleranceSeconds }),
  });
  const on = options.on as Record<string, unknown>;
  if (typeof on !== "object" || on === null) {
    throw new TypeError('options.on must map event types to handlers: { "invoice.paid": fn }');
  }
  for (const [type, handler] of Object.entries(on)) {
    if (handler !== undefined && typeof handler !== "function") {
      throw new TypeError(`options.on["${type}"] must be a function`);
    }
  }
  const mode = options.mode ?? HandlerMode.inline;
  if (mode !== HandlerMode.inline && mode !== HandlerMode.ackFirst) {
    throw new TypeError(`options.mode must be "inline" or "ack-first", got ${String(mode)}`);
  }
  const leaseMs = positive("leaseMs", options.leaseMs ?? 5 * 60_000);
  const maxAttempts = positive("retry.maxAttempts", options.retry?.maxAttempts ?? 8);
  if (!Number.isInteger(maxAttempts)) throw new TypeError("retry.maxAttempts must be an integer");
  const inbox = options.inbox ?? defaultInbox(mode);
  if (typeof inbox.claim !== "function" || typeof inbox.claimDue !== "function") {
    throw new TypeError("options.inbox must be an Inbox (createSqliteInbox, createPostgresInbox…)");
  }
  const handlers = new Map(
    Object.entries(on).filter((entry): entry is [string, EventHandler] => !!entry[1]),
  );
  return {
    secrets: options.secrets,
    verify: { scheme, toleranceSeconds },
    inbox,
    mode,
    handlerFor: (type) => handlers.get(type),
    onError: options.onError ?? logError,
    onUnhandled: options.onUnhandled ?? logUnhandledOnce(),
    leaseMs,
    maxAttempts,
    delayMs: options.retry?.delayMs ?? exponentialDelay,
    now: options.now ?? Date.now,
  };
}

function positive(name: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new TypeError(`options.${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function defaultInbox(mode: HandlerMode): Inbox {
  const env = globalThis.process?.env?.NODE_ENV;
  if (env !== "development" && env !== "test") {
    console.warn(
      `[hookline] createWebhookHandler is using the in-memory inbox: duplicates are caught only ` +
        `within this process${mode === "ack-first" ? ", and acknowledged events are lost if it stops" : ""}. ` +
        "Pass inbox: createSqliteInbox(…) or createPostgresInbox(…) in production.",
    );
  }
  return createMemoryInbox();
}

function logError(error: unknown, context: ErrorContext): void {
  const where = context.event ? ` (event ${context.event.id}, ${context.event.type})` : "";
  if (context.stage === "verify") {
    console.warn(`[hookline] refused a webhook request: ${String(error)}`);
  } else {
    console.error(`[hookline] ${context.stage} failed${where}:`, error);
  }
}

function logUnhandledOnce(): (event: Event) => void {
  const seen = new Set<string>();
  return (event) => {
    if (seen.has(event.type)) return;
    seen.add(event.type);
    console.warn(`[hookline] no handler for "${event.type}" events: acknowledged and ignored`);
  };
}
