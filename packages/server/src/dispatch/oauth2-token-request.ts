import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { OAuth2ClientCredentials } from "../endpoint-options/oauth2-client-credentials.ts";

/** A POST as the sender makes it: through its pool or proxy, behind its address guard. */
export type Post = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<Dispatcher.ResponseData>;

/** An access token and how long the authorization server said it lives. */
export interface Token {
  value: string;
  lifetimeMs: number;
}

/**
 * The token endpoint answered, but not with a usable token. Its message says what came back
 * (status, the OAuth2 `error` code and description) and never holds the client secret.
 */
export class TokenError extends Error {
  readonly code = "HOOKLINE_TOKEN_FAILED";
  override readonly name = "TokenError";
}

// RFC 6749 §5.1 makes expires_in RECOMMENDED only: without it, a token is used this long (and
// a 401 from the endpoint replaces it sooner).
const DEFAULT_LIFETIME_MS = 5 * 60_000;
// A token answer is a few hundred bytes; a token endpoint that streams more is not one.
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Gets an access token with the client credentials grant (RFC 6749 §4.4.2): a form-encoded POST
 * with the client authenticated by HTTP Basic (client_secret_basic, §2.3.1, which every server
 * must support), each part form-encoded first as that section says.
 */
export async function requestToken(
  auth: OAuth2ClientCredentials,
  post: Post,
  signal: AbortSignal,
): Promise<Token> {
  const credentials = `${formEncode(auth.client_id)}:${formEncode(auth.client_secret)}`;
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (auth.scope !== undefined) form.set("scope", auth.scope);
  const response = await post(auth.token_url, {
    headers: {
      authorization: `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: form.toString(),
    signal,
  });
  const text = await readSmall(response.body);
  let answer: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) answer = parsed as Record<string, unknown>;
  } catch {
    // Said below, with the status.
  }
  const status = response.statusCode;
  if (status !== 200)
    throw new TokenError(`token endpoint answered ${status}${oauthError(answer)}`);
  if (answer === undefined) {
    throw new TokenError("token endpoint answered 200 without a JSON object (RFC 6749 §5.1)");
  }
  const { access_token: value, token_type: type, expires_in: expiresIn } = answer;
  if (typeof value !== "string" || value === "") {
    throw new TokenError("token endpoint answered 200 without an access_token");
  }
  // A missing token_type is taken as Bearer (some servers leave it out); another type (DPoP,
  // MAC) needs more than an Authorization header, which this sender does not do.
  if (type !== undefined && (typeof type !== "string" || type.toLowerCase() !== "bearer")) {
    throw new TokenError(`token endpoint gave a ${String(type).slice(0, 40)} token, not Bearer`);
  }
  const seconds = typeof expiresIn === "string" ? Number(expiresIn) : expiresIn;
  const lifetimeMs =
    typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0
      ? seconds * 1000
      : DEFAULT_LIFETIME_MS;
  return { value, lifetimeMs };
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it (space as +). */
function formEncode(text: string): string {
  return new URLSearchParams({ x: text }).toString().slice(2);
}

/** ": invalid_client (client authentication failed)" from an RFC 6749 §5.2 error answer. */
function oauthError(answer: Record<string, unknown> | undefined): string {
  if (typeof answer?.error !== "string") return "";
  const code = answer.error.slice(0, 100);
  const description = answer.error_description;
  return typeof description === "string" ? `: ${code} (${description.slice(0, 200)})` : `: ${code}`;
}

async function readSmall(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw new TokenError("token endpoint answered more than 64 KB");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
