#!/usr/bin/env node
import { Command, Option } from "commander";
import { deliveriesCommand } from "./cli/deliveries.ts";
import { endpointsCommand } from "./cli/endpoints.ts";
import { eventsCommand } from "./cli/events.ts";
import { listenCommand } from "./cli/listen.ts";
import { loginCommand } from "./cli/login.ts";
import { recoverCommand } from "./cli/recover.ts";
import { targetsLine } from "./cli/targets-line.ts";
import { triggerCommand } from "./cli/trigger.ts";
import { formatDuration } from "./config/duration.ts";
import { ConfigError, loadConfig, type ServeFlags } from "./config/load-config.ts";
import { redactedProxyUrl } from "./config/proxy-url.ts";

const program = new Command()
  .name("hookline")
  .description("Webhooks the way Stripe sends them: durable, signed, retried, visible.")
  .version("0.1.0");

program
  .command("serve")
  .description("run the API and the dispatcher (SQLite by default)")
  .option("--port <port>", "API, dashboard and metrics port [HOOKLINE_PORT, default 8080]")
  .option("--host <address>", "bind address [HOOKLINE_HOST, default 127.0.0.1]")
  .option("--database <path-or-url>", "SQLite file path [HOOKLINE_DATABASE, default ./hookline.db]")
  .option(
    "--role <role>",
    "all: API and deliveries; api: API only; worker: deliveries only (PostgreSQL) [HOOKLINE_ROLE, default all]",
  )
  .option(
    "--retry-schedule <durations>",
    "waits between attempts [HOOKLINE_RETRY_SCHEDULE, default 5s,5m,30m,2h,5h,10h,10h,24h]",
  )
  .option("--timeout <duration>", "per attempt [HOOKLINE_DELIVERY_TIMEOUT, default 15s]")
  .addOption(
    new Option(
      "--allow-network <cidr>",
      "allow delivery to a private network, repeatable [HOOKLINE_ALLOWED_NETWORKS]",
    ).argParser((value: string, previous: string[] = []) => [...previous, value]),
  )
  .option("--dev", "development: allow loopback targets such as http://localhost:3000")
  .option("--https-only", "production: refuse plain http endpoint URLs and targets")
  .option(
    "--proxy-url <url>",
    "send deliveries through this HTTP forward proxy (CONNECT) [HOOKLINE_PROXY_URL]",
  )
  .option(
    "--durability <mode>",
    "fsync: accepted events survive a power cut; process: they survive kill -9, ~1 ms faster [HOOKLINE_DURABILITY, default fsync]",
  )
  .option(
    "--retention <duration>",
    "prune finished events older than this, at least 1h [HOOKLINE_RETENTION, default 30d]",
  )
  .option(
    "--strict-event-types",
    "refuse events whose type is not in the catalog or whose data.object does not match its schema [HOOKLINE_STRICT_EVENT_TYPES=true]",
  )
  .action(async (flags: ServeFlags) => {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(flags);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`hookline: invalid configuration: ${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }
    // Loaded here, not at the top: every other command talks HTTP and needs none of the server
    // (Fastify, the stores, better-sqlite3's native binding, the dispatcher).
    const { startServer } = await import("./serve.ts");
    const server = await startServer(config);
    const url = server.url.replace("127.0.0.1", "localhost");
    const key = server.generatedApiKey ?? "$HOOKLINE_API_KEY";
    const lines = [
      "",
      `Hookline is running at ${url}`,
      `  database        ${config.database} (durability: ${config.durability})`,
      `  retry schedule  ${config.retrySchedule.map(formatDuration).join(", ")}`,
      `  retention       ${formatDuration(config.retentionMs)}`,
      targetsLine(config),
      ...(config.proxyUrl === undefined
        ? []
        : [`  proxy           ${redactedProxyUrl(config.proxyUrl)}`]),
      server.generatedApiKey
        ? `  root API key    ${server.generatedApiKey}   (shown once: only its hash is stored)`
        : config.apiKey
          ? "  root API key    from HOOKLINE_API_KEY"
          : "  root API key    generated on first start (set HOOKLINE_API_KEY to choose one)",
      "",
      "Try it:",
      `  curl -s ${url}/v1/webhook_endpoints -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`,
      `    -d '{"url":"http://localhost:3000/webhooks","enabled_events":["*"]}'`,
      `  curl -s ${url}/v1/events -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`,
      `    -d '{"type":"payment_intent.succeeded","data":{"object":{"id":"pi_123","amount":2000}}}'`,
      "",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);

    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      server.app.log.info({ signal }, "stopping: finishing attempts in flight");
      await server.close(10_000);
      process.exit(0);
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
  });

listenCommand(program);
triggerCommand(program);
loginCommand(program);
endpointsCommand(program);
eventsCommand(program);
deliveriesCommand(program);
recoverCommand(program);

await program.parseAsync();
