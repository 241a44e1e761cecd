import { WebhookVerificationError } from "../errors.ts";
import { type HeaderInput, readHeader } from "../headers.ts";
import { parseTimestamp } from "./timestamp.ts";

/** The parts of the Standard Webhooks headers (`webhook-*`, or Svix's `svix-*`). */
export interface StandardSignatureHeaders {
  id: string;
  timestamp: number;
  timestampText: string;
  /** `v1` signatures: base64 HMAC-SHA256, 32 bytes. */
  v1: string[];
  /** `v1a` signatures: base64 ed25519, 64 bytes. */
  v1a: string[];
}

const V1_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const V1A_BASE64 = /^[A-Za-z0-9+/]{86}==$/;
// The id is signed as "<id>.<timestamp>.<body>", so a "." in it could shift the boundaries; the
// spec asks senders not to use one and we refuse it.
export const WEBHOOK_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

// The names spelled out once: a name built per request is a new string, which every lookup in a
// headers record must first hash and internalize.
const NAMES = {
  webhook: { id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature" },
  svix: { id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature" },
} as const;

/** Finds which header family is present; `undefined` when neither has a signature header. */
export function standardHeaderPrefix(headers: HeaderInput): "webhook" | "svix" | undefined {
  if (readHeader(headers, NAMES.webhook.signature) !== undefined) return "webhook";
  if (readHeader(headers, NAMES.svix.signature) !== undefined) return "svix";
  return undefined;
}

export function parseStandardHeaders(
  headers: HeaderInput,
  prefix: "webhook" | "svix",
): StandardSignatureHeaders {
  const names = NAMES[prefix];
  const id = required(headers, names.id);
  const timestampText = required(headers, names.timestamp);
  const signature = required(headers, names.signature);
  if (!WEBHOOK_ID.test(id)) {
    throw new WebhookVerificationError(
      "malformed_header",
      `${prefix}-id must be 1 to 256 printable ASCII characters without "." or spaces`,
    );
  }
  const timestamp = parseTimestamp(timestampText, names.timestamp);
  const v1: string[] = [];
  const v1a: string[] = [];
  let entries = 0;
  // Entries are delimited by spaces, and by nothing else (no TAB, no newline): the Standard
  // Webhooks spec and its reference libraries split on " ", so a header they refuse is refused
  // here too. Empty pieces from repeated spaces are skipped below; a trailing "," comes from
  // repeated headers joined by ", ".
  for (const raw of signature.split(" ")) {
    const entry = raw.endsWith(",") ? raw.slice(0, -1) : raw;
    const comma = entry.indexOf(",");
    if (comma <= 0) continue;
    entries++;
    const version = entry.slice(0, comma);
    const text = entry.slice(comma + 1);
    if (version === "v1" && V1_BASE64.test(text)) v1.push(text);
    else if (version === "v1a" && V1A_BASE64.test(text)) v1a.push(text);
  }
  if (entries === 0) {
    throw new WebhookVerificationError(
      "malformed_header",
      `${prefix}-signature has no "<version>,<base64>" entry`,
    );
  }
  return { id, timestamp, timestampText, v1, v1a };
}

function required(headers: HeaderInput, name: string): string {
  const value = readHeader(headers, name)?.trim();
  if (value === undefined || value === "") {
    throw new WebhookVerificationError("missing_header", `the ${name} header is missing`);
  }
  return value;
}
