import { validateHeaderName, validateHeaderValue } from "node:http";

// Custom headers an endpoint asks for (`headers: {"X-Team": "billing"}`), sent with every
// delivery to it. Their values may be credentials (an API key the receiver's gateway wants), so
// they are sealed at rest like signing secrets (secrets/sealed-store.ts) and masked in every
// answer after the create.

/** At most this many custom headers per endpoint. */
export const MAX_HEADERS = 20;
/** At most this many bytes of names and values together (a proxy's header limit is ~8 KB). */
export const MAX_HEADER_BYTES = 8192;

/**
 * Headers the sender owns: the request framing and the signatures a receiver verifies. A custom
 * header may not replace one, or a receiver could be told a signature the sender did not make.
 */
const RESERVED = new Set([
  "host",
  "content-length",
  "content-type",
  "content-encoding",
  "stripe-signature",
  "authorization",
  "user-agent",
  "traceparent",
  "tracestate",
  // Hop-by-hop (RFC 9110 §7.6.1) and what undici refuses to send itself.
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);
/** `webhook-*`: Standard Webhooks' headers; `hookline-*`: this sender's own (Hookline-Sequence). */
const RESERVED_PREFIXES = ["webhook-", "hookline-"];

/** Why `name: value` cannot be a custom header, or undefined when it can. */
function refusal(name: string, value: unknown): string | undefined {
  try {
    validateHeaderName(name);
  } catch {
    return `'${name.slice(0, 100)}' is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only).`;
  }
  const lower = name.toLowerCase();
  if (RESERVED.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) {
    return `the header ${name} is set by the sender and cannot be replaced.`;
  }
  if (typeof value !== "string") return `the value of ${name} must be a string.`;
  try {
    validateHeaderValue(name, value);
  } catch {
    return `the value of ${name} holds a character a header cannot carry (a line break or control character).`;
  }
  return undefined;
}

export interface HeadersRefusal {
  /** The offending header's name, or undefined when the whole set is refused (limits). */
  name?: string;
  message: string;
}

/**
 * Checks an endpoint's full set of custom headers (after an update is merged). Names are
 * compared case-insensitively: two spellings of one name are refused, as the receiver would
 * see them as one header.
 */
export function checkCustomHeaders(headers: Record<string, unknown>): HeadersRefusal | undefined {
  const names = Object.keys(headers);
  if (names.length > MAX_HEADERS) {
    return { message: `at most ${MAX_HEADERS} custom headers per endpoint, got ${names.length}.` };
  }
  const seen = new Set<string>();
  let bytes = 0;
  for (const name of names) {
    const value = headers[name];
    const why = refusal(name, value);
    if (why !== undefined) return { name, message: why };
    if (seen.has(name.toLowerCase())) {
      return { name, message: `the header ${name} is given twice (names ignore case).` };
    }
    seen.add(name.toLowerCase());
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value as string);
  }
  if (bytes > MAX_HEADER_BYTES) {
    return {
      message: `custom headers total ${bytes} bytes; at most ${MAX_HEADER_BYTES} are allowed.`,
    };
  }
  return undefined;
}

/**
 * Applies an update to the stored set: a string sets a header (replacing any spelling of its
 * name), null removes it; `null` for the whole set removes them all.
 */
export function mergeCustomHeaders(
  current: Readonly<Record<string, string>>,
  update: Readonly<Record<string, string | null>> | null,
): Record<string, unknown> {
  if (update === null) return {};
  const next: Record<string, unknown> = {};
  const updated = new Set(Object.keys(update).map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(current)) {
    if (!updated.has(name.toLowerCase())) next[name] = value;
  }
  for (const [name, value] of Object.entries(update)) {
    if (value !== null) next[name] = value;
  }
  return next;
}

/** What answers after the create show for every value: nothing of it, not even its length. */
export const MASKED_VALUE = "********";

export function maskHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const name of Object.keys(headers)) masked[name] = MASKED_VALUE;
  return masked;
}
