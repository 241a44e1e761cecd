// How the sender authenticates to an endpoint beside the signature (a gateway in front of the
// receiver may ask for it): Basic (RFC 7617), or a bearer token got with OAuth2 client
// credentials (RFC 6749 §4.4; oauth2-client-credentials.ts). Stored as JSON text, sealed as a
// whole like the signing secret; the client certificate for mTLS is kept apart (its own columns).
import {
  checkOAuth2ClientCredentials,
  type OAuth2ClientCredentials,
} from "./oauth2-client-credentials.ts";

export interface BasicAuth {
  type: "basic";
  username: string;
  password: string;
}
export type EndpointAuth = BasicAuth | OAuth2ClientCredentials;
export type { OAuth2ClientCredentials };

/** `auth` as the API receives it: every field of every type is optional until checked. */
export interface AuthInput {
  type: string;
  username?: string | undefined;
  password?: string | undefined;
  token_url?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
  scope?: string | undefined;
}

export interface AuthRefusal {
  param: string;
  message: string;
}

const FIELDS: Record<EndpointAuth["type"], readonly (keyof AuthInput)[]> = {
  basic: ["username", "password"],
  oauth2_client_credentials: ["token_url", "client_id", "client_secret", "scope"],
};

// RFC 7617 §2: the user-id cannot contain a colon; neither part may hold control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why `auth` cannot be an endpoint's authentication, naming the field. The token URL's form is
 * checked by the caller, as every URL the API takes is (api/endpoint-input.ts).
 */
export function checkEndpointAuth(auth: AuthInput): AuthRefusal | undefined {
  const fields = Object.hasOwn(FIELDS, auth.type)
    ? FIELDS[auth.type as EndpointAuth["type"]]
    : undefined;
  if (fields === undefined) {
    return {
      param: "auth[type]",
      message: `'${auth.type.slice(0, 50)}' is not supported; use basic or oauth2_client_credentials.`,
    };
  }
  // A field of the other type is a mistake worth saying (a password given to OAuth2 is not sent).
  const stray = (Object.keys(auth) as (keyof AuthInput)[]).find(
    (key) => key !== "type" && auth[key] !== undefined && !fields.includes(key),
  );
  if (stray !== undefined) {
    return { param: `auth[${stray}]`, message: `${auth.type} authentication has no ${stray}.` };
  }
  return auth.type === "basic" ? checkBasic(auth) : checkOAuth2ClientCredentials(auth);
}

function checkBasic(auth: AuthInput): AuthRefusal | undefined {
  if (auth.username === undefined || auth.username === "") {
    return { param: "auth[username]", message: "basic authentication needs a username." };
  }
  if (auth.username.includes(":") || CONTROL.test(auth.username)) {
    return {
      param: "auth[username]",
      message: "the username cannot contain a colon or a control character (RFC 7617).",
    };
  }
  if (auth.password === undefined || CONTROL.test(auth.password)) {
    return { param: "auth[password]", message: "a password without control characters is needed." };
  }
  return undefined;
}

/** The JSON text the store keeps (sealed) for a checked `auth`: its own fields only. */
export function storedAuth(auth: AuthInput): string {
  if (auth.type === "basic") {
    return JSON.stringify({ type: auth.type, username: auth.username, password: auth.password });
  }
  return JSON.stringify({
    type: auth.type,
    token_url: auth.token_url,
    client_id: auth.client_id,
    client_secret: auth.client_secret,
    ...(auth.scope === undefined ? {} : { scope: auth.scope }),
  });
}

export function parseAuth(stored: string): EndpointAuth {
  return JSON.parse(stored) as EndpointAuth;
}

/** The `Authorization` header value for Basic authentication. */
export function basicAuthorization(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`;
}

export type PublicAuth =
  | { type: "basic"; username: string }
  | {
      type: "oauth2_client_credentials";
      token_url: string;
      client_id: string;
      scope: string | null;
    };

/** What answers show: never the password or the client secret. */
export function publicAuth(stored: string | null): PublicAuth | null {
  if (stored === null) return null;
  const auth = parseAuth(stored);
  if (auth.type === "basic") return { type: auth.type, username: auth.username };
  return {
    type: auth.type,
    token_url: auth.token_url,
    client_id: auth.client_id,
    scope: auth.scope ?? null,
  };
}
