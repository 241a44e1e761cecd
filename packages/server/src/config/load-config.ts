import { parseNetworks } from "../dispatch/address-guard.ts";
import { type Config, DEFAULTS, NODE_ROLES, type NodeRole } from "./config.ts";
import { parseDuration } from "./duration.ts";
import { readExtraCaCerts } from "./extra-ca-certs.ts";
import { HealthConfigError, loadHealthConfig } from "./health-config.ts";
import { otlpTracesUrl } from "./otlp.ts";
import { checkProxyUrl } from "./proxy-url.ts";

/** Flags as the CLI parsed them; each wins over its environment variable. */
export interface ServeFlags {
  port?: string;
  host?: string;
  database?: string;
  role?: string;
  retrySchedule?: string;
  timeout?: string;
  allowNetwork?: string[];
  dev?: boolean;
  httpsOnly?: boolean;
  durability?: string;
  retention?: string;
  strictEventTypes?: boolean;
  proxyUrl?: string;
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

  const role = pick(flags.role, "HOOKLINE_ROLE", DEFAULTS.role);
  if (!NODE_ROLES.includes(role as NodeRole)) {
    fail(
      "--role / HOOKLINE_ROLE",
      '"all" (API and deliveries), "api" (API only) or "worker" (deliveries only)',
      role,
    );
  }
  // Several nodes split the work only through a shared database; on a SQLite file an API node
  // would accept events that no worker process could ever see.
  if (role !== "all" && !/^postgres(ql)?:\/\//.test(database)) {
    fail(
      "--role / HOOKLINE_ROLE",
      '"all" with a SQLite database (api and worker need PostgreSQL)',
      role,
    );
  }

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

  // At least twice the timeout: a lease must outlive any attempt made under it, or a second
  // node could claim the delivery while the first is still sending it.
  const leaseText = env.HOOKLINE_LEASE?.trim() || undefined;
  const leaseMs =
    leaseText === undefined
      ? Math.max(60_000, (deliveryTimeoutMs as number) * 4)
      : parseDuration(leaseText);
  if (leaseMs === undefined || leaseMs < (deliveryTimeoutMs as number) * 2) {
    fail("HOOKLINE_LEASE", "a duration of at least twice --timeout, such as 60s", leaseText ?? "");
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

  const encryptionKey = env.HOOKLINE_ENCRYPTION_KEY?.trim() || undefined;
  const encryptionOldKeys = (env.HOOKLINE_ENCRYPTION_OLD_KEYS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  for (const [name, key] of [
    ["HOOKLINE_ENCRYPTION_KEY", encryptionKey],
    ...encryptionOldKeys.map((k) => ["HOOKLINE_ENCRYPTION_OLD_KEYS", k] as const),
  ] as const) {
    if (key !== undefined && Buffer.from(key, "base64").length !== 32) {
      fail(name, "32 bytes in base64 (make one with: openssl rand -base64 32)", "(hidden)");
    }
  }

  const strictText = env.HOOKLINE_STRICT_EVENT_TYPES?.trim().toLowerCase() || "false";
  if (!["true", "false", "1", "0"].includes(strictText)) {
    fail("HOOKLINE_STRICT_EVENT_TYPES", '"true" or "false"', strictText);
  }
  const strictEventTypes =
    flags.strictEventTypes === true || strictText === "true" || strictText === "1";

  let extraCaCerts: string[];
  try {
    extraCaCerts = readExtraCaCerts(env.HOOKLINE_EXTRA_CA_CERTS?.trim() || undefined);
  } catch (error) {
    throw new ConfigError(`HOOKLINE_EXTRA_CA_CERTS: ${(error as Error).message}`);
  }

  const proxyText = flags.proxyUrl ?? (env.HOOKLINE_PROXY_URL?.trim() || undefined);
  let proxyUrl: string | undefined;
  try {
    proxyUrl = proxyText === undefined ? undefined : checkProxyUrl(proxyText);
  } catch (error) {
    throw new ConfigError(`--proxy-url / HOOKLINE_PROXY_URL: ${(error as Error).message}`);
  }

  let tracesUrl: string | undefined;
  try {
    tracesUrl = otlpTracesUrl(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }

  const apiKey = env.HOOKLINE_API_KEY?.trim() || undefined;
  if (apiKey !== undefined && apiKey.length < 16) {
    fail("HOOKLINE_API_KEY", "at least 16 characters", "(hidden)");
  }

  return {
    port,
    host,
    database,
    role: role as NodeRole,
    leaseMs,
    apiKey,
    encryptionKey,
    encryptionOldKeys,
    retrySchedule: retrySchedule as number[],
    deliveryTimeoutMs: deliveryTimeoutMs as number,
    allowedNetworks: networks,
    extraCaCerts,
    proxyUrl,
    otlpTracesUrl: tracesUrl,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || "hookline",
    dev: flags.dev === true,
    httpsOnly: flags.httpsOnly === true || env.HOOKLINE_HTTPS_ONLY === "true",
    maxEndpointsPerTenant: count(
      env,
      "HOOKLINE_MAX_ENDPOINTS_PER_TENANT",
      DEFAULTS.maxEndpointsPerTenant,
      1,
    ),
    apiRateLimit: count(env, "HOOKLINE_API_RATE_LIMIT", DEFAULTS.apiRateLimit, 0),
    rootApiRateLimit: count(env, "HOOKLINE_ROOT_API_RATE_LIMIT", DEFAULTS.rootApiRateLimit, 0),
    maxPayloadBytes: DEFAULTS.maxPayloadBytes,
    maxBatchEvents: count(env, "HOOKLINE_MAX_BATCH_EVENTS", DEFAULTS.maxBatchEvents, 1),
    maxBatchBytes: count(env, "HOOKLINE_MAX_BATCH_BYTES", DEFAULTS.maxBatchBytes, 1024),
    maxInFlight: DEFAULTS.maxInFlight,
    maxInFlightPerEndpoint: DEFAULTS.maxInFlightPerEndpoint,
    logLevel: env.HOOKLINE_LOG_LEVEL?.trim() || DEFAULTS.logLevel,
    durability,
    retentionMs,
    strictEventTypes,
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

/** A whole-number setting from the environment, at least `min`. */
function count(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === "") return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > 1_000_000_000) {
    fail(name, `a whole number from ${min}`, text);
  }
  return Number(text);
}
