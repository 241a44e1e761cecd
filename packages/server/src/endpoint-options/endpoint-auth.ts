// How the sender authenticates to an endpoint beside the signature (a gateway in front of the
// receiver may ask for it). Basic only for now (RFC 7617); OAuth2 client credentials and mTLS
// are not built yet. Stored as JSON text, sealed as a whole like the signing secret.

export interface BasicAuth {
  type: "basic";
  username: string;
  password: string;
}
export type EndpointAuth = BasicAuth;

export interface AuthRefusal {
  param: string;
  message: string;
}

// RFC 7617 §2: the user-id cannot contain a colon; neither part may hold control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `auth` cannot be an endpoint's authentication, naming the field. */
export function checkEndpointAuth(auth: {
  type: string;
  username?: string | undefined;
  password?: string | undefined;
}): AuthRefusal | undefined {
  if (auth.type !== "basic") {
    return {
      param: "auth[type]",
      message: `'${auth.type.slice(0, 50)}' is not supported; use basic.`,
    };
  }
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

/** The `Authorization` header value for a stored `auth` (JSON text). */
export function authorizationOf(stored: string): string {
  const auth = JSON.parse(stored) as EndpointAuth;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`;
}

/** What answers show: the type and username, never the password. */
export function publicAuth(stored: string | null): { type: "basic"; username: string } | null {
  if (stored === null) return null;
  const auth = JSON.parse(stored) as EndpointAuth;
  return { type: auth.type, username: auth.username };
}
