import type { WebhookEndpoint } from "@hookline/webhooks/client";
import { type Command, Option } from "commander";
import { type ConnectionFlags, connect, connectionOptions } from "./connection.ts";
import {
  type EndpointOptionFlags,
  endpointOptionCreateParams,
  endpointOptionFlags,
  endpointOptionUpdateParams,
} from "./endpoint-option-flags.ts";
import { endpointTestCommand } from "./endpoint-test.ts";
import { action, UsageError, usageExits } from "./failure.ts";
import {
  color,
  out,
  printFields,
  printJson,
  printTable,
  statusColor,
  time,
  warn,
} from "./output.ts";
import { type TlsCertFlags, tlsCertOptions, tlsCertParams } from "./tls-cert-flags.ts";

interface EndpointFlags extends ConnectionFlags, TlsCertFlags, EndpointOptionFlags {
  events?: string[];
  endpointUrl?: string;
  description?: string;
  schemes?: "both" | "stripe" | "standard";
  rateLimit?: string;
  ordering?: "none" | "per_key";
  onExhausted?: "skip" | "hold";
  disable?: boolean;
  enable?: boolean;
  limit?: string;
  expiresIn?: string;
}

const orderingOption = () =>
  new Option(
    "--ordering <ordering>",
    "per_key: each ordering key's events one at a time, in creation order (docs/ordering.md)",
  ).choices(["none", "per_key"]);

const onExhaustedOption = () =>
  new Option(
    "--on-exhausted <action>",
    "per_key: when a key's oldest delivery fails for good, skip it (default) or hold the key until it is retried or recovered",
  ).choices(["skip", "hold"]);

/** The ordering flags as params, only those given. */
function orderingParams(flags: EndpointFlags) {
  return {
    ...(flags.ordering === undefined ? {} : { ordering: flags.ordering }),
    ...(flags.onExhausted === undefined ? {} : { ordering_on_exhausted: flags.onExhausted }),
  };
}

const eventsOption = () =>
  new Option(
    "--events <types>",
    'event types: "*", exact types or prefixes ("invoice.*"); comma-separated or repeated',
  ).argParser((value: string, previous: string[] = []) => [
    ...previous,
    ...value
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  ]);

/** `hookline endpoints list|create|update|delete|rotate-secret|test`. */
export function endpointsCommand(program: Command): void {
  const group = usageExits(program.command("endpoints").description("manage webhook endpoints"));

  connectionOptions(group.command("list").description("list endpoints, newest first"))
    .option("--limit <n>", "how many (1-100)", "10")
    .action(
      action(async (flags: EndpointFlags) => {
        const page = await connect(flags).endpoints.list({ limit: Number(flags.limit) });
        if (flags.json) return printJson(page);
        printTable(
          ["ID", "URL", "EVENTS", "STATUS", "HEALTH", "CREATED"],
          page.data.map((e) => [
            e.id,
            e.url,
            e.enabled_events.join(","),
            statusColor(e.status),
            statusColor(e.health.state),
            time(e.created),
          ]),
        );
      }),
    );

  endpointOptionFlags(
    tlsCertOptions(
      connectionOptions(
        group.command("create <url>").description("create an endpoint; prints its signing secret"),
      ),
      { update: false },
    ),
    { update: false },
  )
    .addOption(eventsOption().makeOptionMandatory())
    .option("--description <text>")
    .addOption(
      new Option("--schemes <scheme>", "signature headers to send").choices([
        "both",
        "stripe",
        "standard",
      ]),
    )
    .option("--rate-limit <n>", "at most n requests per second")
    .addOption(orderingOption())
    .addOption(onExhaustedOption())
    .action(
      action(async (url: string, flags: EndpointFlags) => {
        const endpoint = await connect(flags).endpoints.create({
          url,
          enabled_events: flags.events ?? [],
          ...(flags.description === undefined ? {} : { description: flags.description }),
          ...(flags.schemes === undefined ? {} : { signature_schemes: flags.schemes }),
          ...(flags.rateLimit === undefined
            ? {}
            : { rate_limit: integer("--rate-limit", flags.rateLimit) }),
          ...orderingParams(flags),
          ...tlsCertParams(flags),
          ...endpointOptionCreateParams(flags),
        });
        show(endpoint, flags, `Created ${endpoint.id}`);
      }),
    );

  endpointOptionFlags(
    tlsCertOptions(
      connectionOptions(
        group.command("update <id>").description("change an endpoint; --disable / --enable"),
      ),
      { update: true },
    ),
    { update: true },
  )
    // --url is the server's, as in every command: the endpoint's new URL has a name of its own.
    .option("--endpoint-url <url>", "the endpoint's new URL")
    .addOption(eventsOption())
    .option("--description <text>")
    .addOption(new Option("--schemes <scheme>").choices(["both", "stripe", "standard"]))
    .option("--rate-limit <n>", 'requests per second, or "none"')
    .addOption(orderingOption())
    .addOption(onExhaustedOption())
    .option("--disable", "stop deliveries (they are kept as skipped)")
    .option("--enable", "resume deliveries")
    .action(
      action(async (id: string, flags: EndpointFlags) => {
        if (flags.disable && flags.enable)
          throw new UsageError("--disable and --enable contradict each other");
        const params = {
          ...(flags.endpointUrl === undefined ? {} : { url: flags.endpointUrl }),
          ...(flags.events === undefined ? {} : { enabled_events: flags.events }),
          ...(flags.description === undefined ? {} : { description: flags.description }),
          ...(flags.schemes === undefined ? {} : { signature_schemes: flags.schemes }),
          ...(flags.rateLimit === undefined
            ? {}
            : {
                rate_limit:
                  flags.rateLimit === "none" ? null : integer("--rate-limit", flags.rateLimit),
              }),
          ...orderingParams(flags),
          ...tlsCertParams(flags),
          ...endpointOptionUpdateParams(flags),
          ...(flags.disable ? { disabled: true } : flags.enable ? { disabled: false } : {}),
        };
        if (Object.keys(params).length === 0) {
          throw new UsageError(
            "nothing to update: give --endpoint-url, --events, --description, --schemes, --rate-limit, --ordering, --on-exhausted, --header/--remove-header, --filter/--remove-filter, --basic-auth, --oauth2-*, --remove-auth, --tls-cert/--tls-key, --remove-tls-cert, --disable or --enable",
          );
        }
        const endpoint = await connect(flags).endpoints.update(id, params);
        show(endpoint, flags, `Updated ${endpoint.id}`);
      }),
    );

  connectionOptions(
    group
      .command("delete <id>")
      .description("delete an endpoint; its undelivered deliveries are cancelled"),
  ).action(
    action(async (id: string, flags: EndpointFlags) => {
      const deleted = await connect(flags).endpoints.delete(id);
      if (flags.json) return printJson(deleted);
      out(`Deleted ${deleted.id}`);
    }),
  );

  connectionOptions(
    group
      .command("rotate-secret <id>")
      .description("new signing secret; the old one keeps signing for a while"),
  )
    .option(
      "--expires-in <duration>",
      "how long the old secret keeps signing (0 ends it now)",
      "24h",
    )
    .action(
      action(async (id: string, flags: EndpointFlags) => {
        const expires = flags.expiresIn ?? "24h";
        const endpoint = await connect(flags).endpoints.rotateSecret(id, {
          expires_in: /^\d+$/.test(expires) ? Number(expires) : expires,
        });
        show(endpoint, flags, `Rotated the secret of ${endpoint.id}`);
      }),
    );

  endpointTestCommand(group);
}

function show(endpoint: WebhookEndpoint, flags: EndpointFlags, headline: string): void {
  for (const warning of endpoint.warnings ?? []) warn(warning);
  if (flags.json) {
    printJson(endpoint);
    return;
  }
  out(color.green(headline));
  printFields([
    ["url", endpoint.url],
    ["events", endpoint.enabled_events.join(", ")],
    ["status", statusColor(endpoint.status)],
    ["description", endpoint.description],
    ["rate limit", endpoint.rate_limit === null ? "none" : `${endpoint.rate_limit}/s`],
    [
      "ordering",
      endpoint.ordering === "per_key"
        ? `per_key, ${endpoint.ordering_on_exhausted} when exhausted`
        : endpoint.ordering,
    ],
    ["headers", Object.keys(endpoint.headers ?? {}).join(", ") || null],
    ["filter", endpoint.filter == null ? null : JSON.stringify(endpoint.filter)],
    ["auth", authLine(endpoint.auth)],
    [
      "client cert",
      endpoint.tls_client_cert == null
        ? null
        : `${endpoint.tls_client_cert.subject}, expires ${time(endpoint.tls_client_cert.expires_at)}`,
    ],
    ...(endpoint.secret === undefined
      ? []
      : [["secret", color.bold(endpoint.secret)] as [string, string]]),
    ...(endpoint.previous_secret_expires_at === null
      ? []
      : [["old secret until", time(endpoint.previous_secret_expires_at)] as [string, string]]),
  ]);
}

/** How the endpoint is authenticated to, without its secrets (answers never carry them). */
function authLine(auth: WebhookEndpoint["auth"]): string | null {
  if (auth == null) return null;
  if (auth.type === "basic") return `basic, user ${auth.username}`;
  return `oauth2 client credentials, client ${auth.client_id} at ${auth.token_url}`;
}

export function integer(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number, got '${text}'`);
  return Number(text);
}
