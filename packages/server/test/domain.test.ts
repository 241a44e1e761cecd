import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Config, DEFAULTS } from "../src/config/config.ts";
import { formatDuration, parseDuration } from "../src/config/duration.ts";
import { ConfigError, loadConfig, type ServeFlags } from "../src/config/load-config.ts";
import type { SendOutcome } from "../src/dispatch/outcome.ts";
import { DEFAULT_BREAKER } from "../src/domain/circuit-breaker.ts";
import { decide } from "../src/domain/decide.ts";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import { isEventPattern, isEventType, matchesEventType } from "../src/domain/match.ts";
import {
  nextAttemptAt,
  RETRY_AFTER_MAX_MS,
  RETRY_AFTER_MIN_MS,
} from "../src/domain/retry-schedule.ts";

// The pure core: matching, the retry schedule, the delivery decision, durations and config
// loading. No I/O, no clock, no sleeping: time and randomness are arguments.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("matching event types to an endpoint's patterns", () => {
  it.each([
    [["*"], "invoice.paid"],
    [["*"], "customer.subscription.updated"],
    [["*"], "hooklinex.y"], // only the "hookline." namespace is operational
    [["invoice.paid"], "invoice.paid"],
    [["invoice.*"], "invoice.paid"],
    [["invoice.*"], "invoice.payment_failed"],
    [["customer.*"], "customer.subscription.deleted"], // a prefix reaches every depth
    [["customer.subscription.*"], "customer.subscription.deleted"],
    [["hookline.*"], "hookline.endpoint.disabled"],
    [["hookline.endpoint.disabled"], "hookline.endpoint.disabled"],
    [["charge.refunded", "invoice.*"], "invoice.paid"],
    [["*", "hookline.*"], "hookline.endpoint.disabled"],
  ])("%j matches %s", (patterns, type) => {
    expect(matchesEventType(patterns, type)).toBe(true);
  });

  it.each([
    [[], "invoice.paid"],
    [["*"], "hookline.endpoint.disabled"], // operators opt in to operational events by name
    [["invoice.*"], "invoices.paid"],
    [["invoice.*"], "invoice"],
    [["invoice.*"], "subscription.invoice.paid"],
    [["invoice.paid"], "invoice.paid.late"],
    [["invoice.paid"], "invoice.pai"],
    [["invoice.paid"], "Invoice.paid"], // case matters
    [["customer.subscription.*"], "customer.updated"],
    [["hookline.*"], "invoice.paid"],
  ])("%j does not match %s", (patterns, type) => {
    expect(matchesEventType(patterns, type)).toBe(false);
  });

  it.each([
    "a",
    "invoice.paid",
    "payment_intent.succeeded",
    "customer.subscription.trial_will_end",
    "a-b.c_d",
    "V2.Core.Event",
    "x".repeat(200),
  ])("accepts %j as an event type", (type) => {
    expect(isEventType(type)).toBe(true);
  });

  it.each([
    "",
    "invoice paid",
    "a..b",
    ".a",
    "a.",
    "*",
    "invoice.*",
    "a/b",
    "façade.created",
    "a.b\n",
    "x".repeat(201),
  ])("refuses %j as an event type", (type) => {
    expect(isEventType(type)).toBe(false);
  });

  it.each(["*", "invoice.paid", "invoice.*", "customer.subscription.*", "hookline.*", "a"])(
    "accepts %j as a pattern",
    (pattern) => {
      expect(isEventPattern(pattern)).toBe(true);
    },
  );

  it.each([
    "",
    "in*voice",
    "invoice*",
    "a..b",
    "*.paid",
    "invoice.**",
    "**",
    ".*",
    "a.*.b",
    " *",
    "invoice.paid ",
    `${"x".repeat(199)}.*`,
  ])("refuses %j as a pattern", (pattern) => {
    expect(isEventPattern(pattern)).toBe(false);
  });
});

describe("the retry schedule", () => {
  const schedule = [10 * SECOND, 5 * MINUTE, 2 * HOUR];
  const now = 1_700_000_000_000;
  const at = (attempts: number, random: number, retryAfterMs?: number) =>
    nextAttemptAt({ now, attempts, schedule, retryAfterMs, random: () => random });

  it.each([
    [0, 8 * SECOND], // −20%
    [0.25, 9 * SECOND],
    [0.5, 10 * SECOND], // exactly the step
    [0.75, 11 * SECOND],
    [1 - Number.EPSILON, 12 * SECOND], // +20%, as close as [0, 1) gets
  ])(
    "spreads a 10 s step by up to 20 percent either way: random() = %d waits %d ms",
    (random, wait) => {
      expect(at(1, random)).toBe(now + wait);
    },
  );

  it("waits step n after attempt n", () => {
    expect([1, 2, 3].map((attempts) => at(attempts, 0.5)! - now)).toEqual(schedule);
  });

  it("keeps every wait within ±20% of its step, whatever random() returns", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: schedule.length }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, random) => {
          const wait = at(attempts, random)! - now;
          const step = schedule[attempts - 1]!;
          expect(wait).toBeGreaterThanOrEqual(step * 0.8);
          expect(wait).toBeLessThanOrEqual(step * 1.2);
        },
      ),
    );
  });

  it("is exhausted after the last step", () => {
    expect(at(schedule.length + 1, 0.5)).toBeUndefined();
    expect(at(schedule.length + 1, 0.5, 5 * SECOND)).toBeUndefined();
    expect(nextAttemptAt({ now, attempts: 1, schedule: [], random: () => 0.5 })).toBeUndefined();
  });

  it.each([
    [0, RETRY_AFTER_MIN_MS],
    [200, RETRY_AFTER_MIN_MS],
    [1 * SECOND, 1 * SECOND],
    [30 * SECOND, 30 * SECOND],
    [3 * HOUR, 3 * HOUR], // longer than the step: the receiver knows best
    [24 * HOUR, RETRY_AFTER_MAX_MS],
    [7 * DAY, RETRY_AFTER_MAX_MS],
  ])(
    "takes a Retry-After of %d ms as %d ms, clamped to [1 s, 24 h] and without jitter",
    (retryAfter, wait) => {
      expect(RETRY_AFTER_MIN_MS).toBe(1 * SECOND);
      expect(RETRY_AFTER_MAX_MS).toBe(24 * HOUR);
      for (const random of [0, 0.99]) expect(at(1, random, retryAfter)).toBe(now + wait);
    },
  );
});

describe("deciding a delivery's state after an attempt", () => {
  const schedule = [5 * SECOND, 5 * MINUTE];
  const now = 1_700_000_000_000;
  const record = { requestHeaders: {}, durationMs: 12 };
  const delivered: SendOutcome = { kind: "delivered", status: 204, ...record };
  const failed = (fields: Partial<Extract<SendOutcome, { kind: "failed" }>>): SendOutcome => ({
    kind: "failed",
    retryable: true,
    error: "http_status",
    message: "receiver answered 500",
    ...record,
    ...fields,
  });
  const run = (outcome: SendOutcome, attempts = 1) =>
    decide({ outcome, attempts, schedule, now, random: () => 0.5 });

  it("succeeds when the receiver took it", () => {
    expect(run(delivered)).toEqual({
      status: "succeeded",
      nextAttemptAt: null,
      disableEndpoint: false,
    });
  });

  it("fails at once and disables the endpoint on 410 Gone", () => {
    expect(run(failed({ status: 410, retryable: false }))).toEqual({
      status: "failed",
      nextAttemptAt: null,
      disableEndpoint: true,
    });
  });

  it("fails at once, without disabling the endpoint, when retrying cannot help", () => {
    const blocked = failed({
      error: "address_blocked",
      retryable: false,
      message: "10.0.0.1 is a private address",
    });
    expect(run(blocked)).toEqual({ status: "failed", nextAttemptAt: null, disableEndpoint: false });
  });

  it("stays pending, due after the next step, when the failure is retryable", () => {
    expect(run(failed({ status: 500 }))).toEqual({
      status: "pending",
      nextAttemptAt: now + 5 * SECOND,
      disableEndpoint: false,
    });
    expect(run(failed({ error: "timeout", message: "no answer within 15s" }), 2)).toEqual({
      status: "pending",
      nextAttemptAt: now + 5 * MINUTE,
      disableEndpoint: false,
    });
  });

  it("is due when the receiver's Retry-After says", () => {
    expect(run(failed({ status: 429, retryAfterMs: 42 * SECOND })).nextAttemptAt).toBe(
      now + 42 * SECOND,
    );
  });

  it("fails after the last step of the schedule", () => {
    expect(run(failed({ status: 500 }), schedule.length + 1)).toEqual({
      status: "failed",
      nextAttemptAt: null,
      disableEndpoint: false,
    });
    expect(run(failed({ status: 503, retryAfterMs: SECOND }), schedule.length + 1).status).toBe(
      "failed",
    );
  });
});

describe("durations", () => {
  it.each([
    ["100ms", 100],
    ["0ms", 0],
    ["5s", 5 * SECOND],
    ["1.5s", 1500],
    ["5m", 5 * MINUTE],
    ["2h", 2 * HOUR],
    ["1d", DAY],
    ["7d", 7 * DAY],
    [" 15s ", 15 * SECOND],
  ])("parses %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    "",
    "5",
    "s",
    "5x",
    "5 s",
    "5S",
    "-5s",
    "+5s",
    ".5s",
    "5.s",
    "1e3ms",
    "5sec",
    "5s,5m",
    "abc",
    "Infinity",
  ])("returns undefined for %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [0, "0ms"],
    [100, "100ms"],
    [1500, "1500ms"],
    [SECOND, "1s"],
    [90 * SECOND, "90s"],
    [MINUTE, "1m"],
    [30 * MINUTE, "30m"],
    [HOUR, "1h"],
    [36 * HOUR, "36h"],
    [DAY, "1d"],
    [3 * DAY, "3d"],
  ])("formats %d ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("reads back what it formats", () => {
    fc.assert(
      fc.property(fc.nat({ max: 30 * DAY }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe("loading the configuration", () => {
  it("uses the defaults when nothing is set", () => {
    expect(loadConfig({}, {})).toEqual({
      port: 8080,
      host: "127.0.0.1",
      database: "./hookline.db",
      role: "all",
      leaseMs: 60_000,
      apiKey: undefined,
      encryptionKey: undefined,
      encryptionOldKeys: [],
      httpsOnly: false,
      maxEndpointsPerTenant: 1000,
      apiRateLimit: 100,
      rootApiRateLimit: 0,
      retrySchedule: [
        5 * SECOND,
        5 * MINUTE,
        30 * MINUTE,
        2 * HOUR,
        5 * HOUR,
        10 * HOUR,
        10 * HOUR,
        24 * HOUR,
      ],
      deliveryTimeoutMs: 15 * SECOND,
      allowedNetworks: [],
      extraCaCerts: [],
      dev: false,
      maxPayloadBytes: 256 * 1024,
      maxBatchEvents: 1000,
      maxBatchBytes: 1024 * 1024,
      maxInFlight: DEFAULTS.maxInFlight,
      maxInFlightPerEndpoint: DEFAULTS.maxInFlightPerEndpoint,
      logLevel: "info",
      durability: "fsync",
      retentionMs: 30 * DAY,
      strictEventTypes: false,
      ladder: DEFAULT_LADDER,
      breaker: DEFAULT_BREAKER,
      // No forward proxy and no OpenTelemetry export unless asked for; spans would name this.
      proxyUrl: undefined,
      otlpTracesUrl: undefined,
      serviceName: "hookline",
    });
  });

  it("reads the durability mode from the flag or HOOKLINE_DURABILITY", () => {
    expect(loadConfig({}, { HOOKLINE_DURABILITY: "process" }).durability).toBe("process");
    expect(loadConfig({ durability: "fsync" }, { HOOKLINE_DURABILITY: "process" }).durability).toBe(
      "fsync",
    );
    expect(() => loadConfig({}, { HOOKLINE_DURABILITY: "sometimes" })).toThrow(
      /HOOKLINE_DURABILITY/,
    );
  });

  it("reads HOOKLINE_* variables", () => {
    const config = loadConfig(
      {},
      {
        HOOKLINE_PORT: "9090",
        HOOKLINE_HOST: "0.0.0.0",
        HOOKLINE_DATABASE: "/var/lib/hookline.db",
        HOOKLINE_API_KEY: "  hk_live_0123456789abcdef  ",
        HOOKLINE_RETRY_SCHEDULE: "1s,1m",
        HOOKLINE_DELIVERY_TIMEOUT: "500ms",
        HOOKLINE_ALLOWED_NETWORKS: "10.0.0.0/8, 192.168.1.0/24,,fd00::/8 ",
        HOOKLINE_LOG_LEVEL: "debug",
      },
    );
    expect(config).toMatchObject({
      port: 9090,
      host: "0.0.0.0",
      database: "/var/lib/hookline.db",
      apiKey: "hk_live_0123456789abcdef",
      retrySchedule: [SECOND, MINUTE],
      deliveryTimeoutMs: 500,
      allowedNetworks: ["10.0.0.0/8", "192.168.1.0/24", "fd00::/8"],
      logLevel: "debug",
    });
  });

  // biome-ignore format: one row per case reads as a table
  const flagsWin: [string, ServeFlags, Record<string, string>, Partial<Config>][] = [
    ["port", { port: "7000" }, { HOOKLINE_PORT: "9090" }, { port: 7000 }],
    ["host", { host: "::1" }, { HOOKLINE_HOST: "0.0.0.0" }, { host: "::1" }],
    ["database", { database: "flag.db" }, { HOOKLINE_DATABASE: "env.db" }, { database: "flag.db" }],
    ["retry schedule", { retrySchedule: "1s" }, { HOOKLINE_RETRY_SCHEDULE: "1m,1h" }, { retrySchedule: [SECOND] }],
    ["timeout", { timeout: "2s" }, { HOOKLINE_DELIVERY_TIMEOUT: "30s" }, { deliveryTimeoutMs: 2000 }],
    ["allowed networks", { allowNetwork: ["10.1.0.0/16"] }, { HOOKLINE_ALLOWED_NETWORKS: "192.168.0.0/16" }, { allowedNetworks: ["10.1.0.0/16"] }],
  ];
  it.each(flagsWin)("lets the flag win over the environment: %s", (_, flags, env, expected) => {
    expect(loadConfig(flags, env)).toMatchObject(expected);
  });

  it("falls back to the environment when --allow-network is given no value", () => {
    const config = loadConfig({ allowNetwork: [] }, { HOOKLINE_ALLOWED_NETWORKS: "10.0.0.0/8" });
    expect(config.allowedNetworks).toEqual(["10.0.0.0/8"]);
  });

  it("treats an empty variable as unset", () => {
    const config = loadConfig(
      {},
      { HOOKLINE_PORT: "", HOOKLINE_RETRY_SCHEDULE: "", HOOKLINE_API_KEY: "   " },
    );
    expect(config.port).toBe(8080);
    expect(config.retrySchedule).toHaveLength(8);
    expect(config.apiKey).toBeUndefined();
  });

  it("turns on dev mode only from the flag", () => {
    expect(loadConfig({ dev: true }, {}).dev).toBe(true);
  });

  const PORT = ["--port / HOOKLINE_PORT", "0 to 65535"];
  const SCHEDULE = ["--retry-schedule / HOOKLINE_RETRY_SCHEDULE", "5s,5m,30m,2h"];
  const TIMEOUT = ["--timeout / HOOKLINE_DELIVERY_TIMEOUT", "1ms to 5m"];
  const NETWORKS = ["--allow-network / HOOKLINE_ALLOWED_NETWORKS", "CIDR", "10.0.0.0/8"];
  const DATABASE = ["--database / HOOKLINE_DATABASE", "postgres://"];

  /** The ConfigError that loading throws (fails the test if it throws nothing or another error). */
  const configError = (flags: ServeFlags, env: Record<string, string>): ConfigError => {
    try {
      loadConfig(flags, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("loadConfig accepted the setting");
  };

  // biome-ignore format: one row per case reads as a table
  const refusals: [string, ServeFlags, Record<string, string>, string[]][] = [
    ["--port abc", { port: "abc" }, {}, [...PORT, '"abc"']],
    ["--port 70000", { port: "70000" }, {}, [...PORT, '"70000"']],
    ["--port -1", { port: "-1" }, {}, PORT],
    ["--port 80.5", { port: "80.5" }, {}, PORT],
    ["HOOKLINE_PORT=abc", {}, { HOOKLINE_PORT: "abc" }, [...PORT, '"abc"']],
    ["--retry-schedule 5x", { retrySchedule: "5x" }, {}, [...SCHEDULE, '"5x"']],
    ["--retry-schedule 5s,,5m", { retrySchedule: "5s,,5m" }, {}, SCHEDULE],
    ["--retry-schedule 0s", { retrySchedule: "0s" }, {}, SCHEDULE],
    ["HOOKLINE_RETRY_SCHEDULE=5x", {}, { HOOKLINE_RETRY_SCHEDULE: "5x" }, SCHEDULE],
    ["--timeout 0s", { timeout: "0s" }, {}, [...TIMEOUT, '"0s"']],
    ["--timeout 6m", { timeout: "6m" }, {}, TIMEOUT],
    ["--timeout 15", { timeout: "15" }, {}, TIMEOUT],
    ["HOOKLINE_DELIVERY_TIMEOUT=0s", {}, { HOOKLINE_DELIVERY_TIMEOUT: "0s" }, TIMEOUT],
    ["--allow-network 10.0.0.0/33", { allowNetwork: ["10.0.0.0/33"] }, {}, [...NETWORKS, "10.0.0.0/33"]],
    ["--allow-network nope", { allowNetwork: ["nope"] }, {}, [...NETWORKS, '"nope"']],
    ["--allow-network 10.0.0.0", { allowNetwork: ["10.0.0.0"] }, {}, NETWORKS],
    ["--allow-network 010.0.0.0/8", { allowNetwork: ["010.0.0.0/8"] }, {}, NETWORKS],
    ["HOOKLINE_ALLOWED_NETWORKS=10.0.0.0/8,nope", {}, { HOOKLINE_ALLOWED_NETWORKS: "10.0.0.0/8,nope" }, [...NETWORKS, '"nope"']],
    ["a blank --database", { database: " " }, {}, DATABASE],
    ["a missing HOOKLINE_EXTRA_CA_CERTS file", {}, { HOOKLINE_EXTRA_CA_CERTS: "/nonexistent/ca.pem" }, ["HOOKLINE_EXTRA_CA_CERTS", "cannot read /nonexistent/ca.pem"]],
    ["a short HOOKLINE_API_KEY", {}, { HOOKLINE_API_KEY: "short-key" }, ["HOOKLINE_API_KEY", "at least 16 characters"]],
  ];
  it.each(refusals)(
    "refuses %s with a ConfigError naming the setting and the accepted form",
    (_, flags, env, words) => {
      const { message } = configError(flags, env);
      for (const word of words) expect(message).toContain(word);
    },
  );

  it("never puts the API key in its error", () => {
    expect(configError({}, { HOOKLINE_API_KEY: "hk_tooshort" }).message).not.toContain(
      "hk_tooshort",
    );
  });
});
