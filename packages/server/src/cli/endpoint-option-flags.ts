import type { Command } from "commander";
import { UsageError } from "./failure.ts";

// The endpoint options of `endpoints create` and `endpoints update` that are not a plain value:
// custom headers, a payload filter and authentication to the endpoint. The flags only shape the
// request; the server checks names, values, the filter's paths and the credentials, and its
// error (naming the field) is what the CLI prints.

export interface EndpointOptionFlags {
  header?: string[];
  removeHeader?: string[];
  filter?: string;
  removeFilter?: boolean;
  basicAuth?: string;
  oauth2TokenUrl?: string;
  oauth2ClientId?: string;
  oauth2ClientSecret?: string;
  oauth2Scope?: string;
  removeAuth?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function endpointOptionFlags<C extends Command>(
  command: C,
  options: { update: boolean },
): C {
  command
    .option(
      "--header <name:value>",
      'a custom header sent with every delivery, such as "X-Team: billing" (repeatable)',
      collect,
    )
    .option(
      "--filter <json>",
      'only events this query matches, e.g. \'{"data.object.amount": {"$gte": 1000}}\'',
    )
    .option("--basic-auth <user:password>", "send Authorization: Basic with every delivery")
    .option("--oauth2-token-url <url>", "OAuth2 client credentials: the token endpoint")
    .option("--oauth2-client-id <id>", "OAuth2 client credentials: the client id")
    .option("--oauth2-client-secret <secret>", "OAuth2 client credentials: the client secret")
    .option("--oauth2-scope <scope>", "OAuth2 client credentials: scopes to ask for (optional)");
  if (options.update) {
    command
      .option("--remove-header <name>", "stop sending this custom header (repeatable)", collect)
      .option("--remove-filter", "deliver every subscribed event again")
      .option("--remove-auth", "stop authenticating to the endpoint");
  }
  return command;
}

/** The params of a create the flags ask for, only those given (no removal flags there). */
export function endpointOptionCreateParams(flags: EndpointOptionFlags) {
  const { headers } = headerParams(flags);
  const { filter } = filterParams(flags);
  const { auth } = authParams(flags);
  return {
    ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
    ...(filter == null ? {} : { filter }),
    ...(auth == null ? {} : { auth }),
  };
}

/** The params of an update the flags ask for, only those given. */
export function endpointOptionUpdateParams(flags: EndpointOptionFlags) {
  return { ...headerParams(flags), ...filterParams(flags), ...authParams(flags) };
}

/** Headers as an update merges them: a value sets a header, null removes it. */
function headerParams(flags: EndpointOptionFlags): { headers?: Record<string, string | null> } {
  if (flags.header === undefined && flags.removeHeader === undefined) return {};
  const headers: Record<string, string | null> = {};
  for (const header of flags.header ?? []) {
    const colon = header.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header "${header}": give it as "Name: value"`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  for (const name of flags.removeHeader ?? []) {
    if (name in headers) throw new UsageError(`--header and --remove-header both name ${name}`);
    headers[name] = null;
  }
  return { headers };
}

function filterParams(flags: EndpointOptionFlags): { filter?: Record<string, unknown> | null } {
  if (flags.removeFilter) {
    if (flags.filter !== undefined)
      throw new UsageError("--filter and --remove-filter contradict each other");
    return { filter: null };
  }
  if (flags.filter === undefined) return {};
  let filter: unknown;
  try {
    filter = JSON.parse(flags.filter);
  } catch (error) {
    throw new UsageError(`--filter: not JSON (${(error as Error).message})`);
  }
  if (filter === null || typeof filter !== "object" || Array.isArray(filter)) {
    throw new UsageError('--filter: give a JSON object, such as \'{"type": "charge.succeeded"}\'');
  }
  return { filter: filter as Record<string, unknown> };
}

function authParams(flags: EndpointOptionFlags) {
  const oauth2 =
    flags.oauth2TokenUrl !== undefined ||
    flags.oauth2ClientId !== undefined ||
    flags.oauth2ClientSecret !== undefined ||
    flags.oauth2Scope !== undefined;
  const given = [flags.basicAuth !== undefined, oauth2, flags.removeAuth === true];
  if (given.filter(Boolean).length > 1) {
    throw new UsageError("give one of --basic-auth, the --oauth2-* flags, or --remove-auth");
  }
  if (flags.removeAuth) return { auth: null };
  if (flags.basicAuth !== undefined) {
    const colon = flags.basicAuth.indexOf(":");
    if (colon <= 0) throw new UsageError('--basic-auth: give it as "user:password"');
    return {
      auth: {
        type: "basic" as const,
        username: flags.basicAuth.slice(0, colon),
        password: flags.basicAuth.slice(colon + 1),
      },
    };
  }
  if (!oauth2) return {};
  const { oauth2TokenUrl, oauth2ClientId, oauth2ClientSecret } = flags;
  if (
    oauth2TokenUrl === undefined ||
    oauth2ClientId === undefined ||
    oauth2ClientSecret === undefined
  ) {
    throw new UsageError(
      "--oauth2-token-url, --oauth2-client-id and --oauth2-client-secret go together",
    );
  }
  return {
    auth: {
      type: "oauth2_client_credentials" as const,
      token_url: oauth2TokenUrl,
      client_id: oauth2ClientId,
      client_secret: oauth2ClientSecret,
      ...(flags.oauth2Scope === undefined ? {} : { scope: flags.oauth2Scope }),
    },
  };
}
