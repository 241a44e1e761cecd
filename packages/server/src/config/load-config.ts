import { parseNetworks } from "../dispatch/address-guard.ts";
import { type Config, DEFAULTS } from "./config.ts";
import { parseDuration } from "./duration.ts";
import { HealthConfigError, loadHealthConfig } from "./health-config.ts";

/** Flags as the CLI parsed them; each wins over its environment variable. */
export interface ServeFlags {
  port?: string;
  host?: string;
  database?: string;
  retrySchedule?: string;
  timeout?: string;
  allowNetwork?: string[];
  dev?: boolean;
  durability?: string;
  retention?: string;
}

/** A setting that cannot be used; the message names the setting and the accepted form. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Merges flags, `HOOKLINE_*` variables and defaults, in that order, and validates every value.
 * The only place that reads the environment.
 */
export function loadConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (flag: string | undefined, name: string, fallback: string) =>
    flag ?? (env[name] !== undefined && env[name] !== "" ? env[name] : fallback);

  const portText = pick(flags.port, "HOOKLINE_PORT", String(DEFAULTS.port));
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    fail("--port / HOOKLINE_PORT", "a port number from 0 to 65535", portText);
  }

  const host = pick(flags.host, "HOOKLINE_HOST", DEFAULTS.host);
  const database = pick(flags.database, "HOOKLINE_DATABASE", DEFAULTS.database);
  if (database.trim() === "")
    fail("--database / HOOKLINE_DATABASE", "a file path or a postgres:// URL", database);

  const scheduleText = pick(flags.retrySchedule, "HOOKLINE_RETRY_SCHEDULE", DEFAULTS.retrySchedule);
  const retrySchedule = scheduleText.split(",").map((step) => parseDuration(step));
  if (retrySchedule.length === 0 || retrySchedule.some((ms) => ms === undefined || ms <= 0)) {
    fail(
      "--retry-schedule / HOOKLINE_RETRY_SCHEDULE",
      "a comma-separated list of durations such as 5s,5m,30m,2h (units ms, s, m, h, d)",
      scheduleText,
    );
  }

  const timeoutText = pick(flags.timeout, "HOOKLINE_DELIVERY_TIMEOUT", DEFAULTS.deliveryTimeout);
  const deliveryTimeoutMs = parseDuration(timeoutText);
  if (deliveryTimeoutMs === undefined || deliveryTimeoutMs <= 0 || deliveryTimeoutMs > 300_000) {
    fail(
      "--timeout / HOOKLINE_DELIVERY_TIMEOUT",
      "a duration from 1ms to 5m, such as 15s",
      timeoutText,
    );
  }

  const networks = flags.allowNetwork?.length
    ? flags.allowNetwork
    : (env.HOOKLINE_ALLOWED_NETWORKS ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
  try {
    parseNetworks(networks);
  } catch (error) {
    throw new ConfigError(
      `--allow-network / HOOKLINE_ALLOWED_NETWORKS: ${(error as Error).message}`,
    );
  }

  const durability = pick(flags.durability, "HOOKLINE_DURABILITY", DEFAULTS.durability);
  if (durability !== "fsync" && durability !== "process") {
    fail(
      "--durability / HOOKLINE_DURABILITY",
      '"fsync" (survives a power cut) or "process" (survives kill -9)',
      durability,
    );
  }

  const retentionText = pick(flags.retention, "HOOKLINE_RETENTION", DEFAULTS.retention);
  const retentionMs = parseDuration(retentionText);
  // Under an hour, a failed delivery could be gone before anyone looks at it: more likely a slip
  // (`30m` for `30d`) than a wish.
  if (retentionMs === undefined || retentionMs < 3_600_000) {
    fail(
      "--retention / HOOKLINE_RETENTION",
      "a duration of at least 1h, such as 30d",
      retentionText,
    );
  }

  const apiKey = env.HOOKLINE_API_KEY?.trim() || undefined;
  if (apiKey !== undefined && apiKey.length < 16) {
    fail("HOOKLINE_API_KEY", "at least 16 characters", "(hidden)");
  }

  return {
    port,
    host,
    database,
    apiKey,
    retrySchedule: retrySchedule as number[],
    deliveryTimeoutMs: deliveryTimeoutMs as number,
    allowedNetworks: networks,
    dev: flags.dev === true,
    maxPayloadBytes: DEFAULTS.maxPayloadBytes,
    maxInFlight: DEFAULTS.maxInFlight,
    maxInFlightPerEndpoint: DEFAULTS.maxInFlightPerEndpoint,
    logLevel: env.HOOKLINE_LOG_LEVEL?.trim() || DEFAULTS.logLevel,
    durability,
    retentionMs,
    ...health(env),
  };
}

function fail(setting: string, accepted: string, got: string): never {
  throw new ConfigError(`${setting}: expected ${accepted}, got ${JSON.stringify(got)}`);
}

function health(env: NodeJS.ProcessEnv) {
  try {
    return loadHealthConfig(env);
  } catch (error) {
    if (error instanceof HealthConfigError) throw new ConfigError(error.message);
    throw error;
  }
}
