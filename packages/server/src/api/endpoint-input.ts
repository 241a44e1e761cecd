import { parseDuration } from "../config/duration.ts";
import { isEventPattern } from "../domain/match.ts";
import { checkCustomHeaders } from "../endpoint-options/custom-headers.ts";
import {
  type AuthInput,
  checkEndpointAuth,
  storedAuth,
} from "../endpoint-options/endpoint-auth.ts";
import { checkPayloadFilter, type PayloadFilter } from "../endpoint-options/payload-filter.ts";
import { invalidParam } from "./errors.ts";

const MAX_SECRET_GRACE_MS = 7 * 86_400_000;
export const DEFAULT_SECRET_GRACE_MS = 86_400_000;

/**
 * An endpoint URL: absolute http(s) (https only under `--https-only`), no credentials, no
 * fragment. Returns it normalized. `param` names the field when it is not `url` (a token URL).
 */
export function checkEndpointUrl(
  text: string,
  options: { httpsOnly?: boolean; param?: string } = {},
): string {
  const param = options.param ?? "url";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidParam(
      param,
      `Invalid URL: '${text.slice(0, 200)}' is not an absolute URL such as https://example.com/webhooks.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalidParam(
      param,
      `Invalid URL: the scheme must be https or http, not ${url.protocol.slice(0, -1)}.`,
    );
  }
  if (options.httpsOnly === true && url.protocol === "http:") {
    throw invalidParam(
      param,
      "Invalid URL: this server only delivers over https (--https-only); use an https URL.",
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw invalidParam(param, "Invalid URL: it must not contain a user name or password.");
  }
  // url.hash is "" for a bare "#", so the text itself is checked.
  if (text.includes("#")) {
    throw invalidParam(param, "Invalid URL: it must not contain a #fragment, which is never sent.");
  }
  return url.toString();
}

export function checkEnabledEvents(patterns: string[]): string[] {
  patterns.forEach((pattern, i) => {
    if (!isEventPattern(pattern)) {
      throw invalidParam(
        `enabled_events[${i}]`,
        `Invalid event type pattern '${pattern.slice(0, 200)}': use "*", an event type such as "invoice.paid", or a prefix such as "invoice.*".`,
      );
    }
  });
  return [...new Set(patterns)];
}

/** An endpoint's whole set of custom headers, refused with the offending header as `param`. */
export function checkHeaders(headers: Record<string, unknown>): Record<string, string> {
  const refused = checkCustomHeaders(headers);
  if (refused !== undefined) {
    const param = refused.name === undefined ? "headers" : `headers[${refused.name.slice(0, 100)}]`;
    throw invalidParam(param, `Invalid headers: ${refused.message}`);
  }
  return headers as Record<string, string>;
}

/** A payload filter, refused with the offending path as `param` (`filter.$or[0].type.$regex`). */
export function checkFilter(filter: unknown, param = "filter"): PayloadFilter {
  const refused = checkPayloadFilter(filter, param);
  if (refused !== undefined) {
    throw invalidParam(refused.param, `Invalid filter at ${refused.param}: ${refused.message}`);
  }
  return filter as PayloadFilter;
}

/** An endpoint's `auth`, as the JSON text the store keeps; refused naming the field. */
export function checkAuth(
  auth: AuthInput | null | undefined,
  options: { httpsOnly?: boolean } = {},
): string | null {
  if (auth == null) return null;
  const refused = checkEndpointAuth(auth);
  if (refused !== undefined) throw invalidParam(refused.param, `Invalid auth: ${refused.message}`);
  if (auth.token_url === undefined) return storedAuth(auth);
  // The token URL is requested by the sender like a delivery, so it takes an endpoint URL's form.
  const tokenUrl = checkEndpointUrl(auth.token_url, { ...options, param: "auth[token_url]" });
  return storedAuth({ ...auth, token_url: tokenUrl });
}

/** `expires_in` of rotate_secret: seconds or a duration; default 24 h, at most 7 days. */
export function secretGraceMs(expiresIn: number | string | undefined): number {
  if (expiresIn === undefined) return DEFAULT_SECRET_GRACE_MS;
  const ms = typeof expiresIn === "number" ? expiresIn * 1000 : parseDuration(expiresIn);
  if (ms === undefined || ms < 0 || ms > MAX_SECRET_GRACE_MS) {
    throw invalidParam(
      "expires_in",
      "Invalid expires_in: give seconds (0 to 604800) or a duration such as 24h, at most 7d.",
    );
  }
  return ms;
}
