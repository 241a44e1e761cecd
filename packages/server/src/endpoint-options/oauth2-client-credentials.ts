// OAuth2 client credentials (RFC 6749 §4.4): the sender gets an access token from the token
// endpoint with the endpoint's client id and secret, and sends it as `Authorization: Bearer`.
// Here is what is stored and how it is checked; dispatch/oauth2-tokens.ts gets and caches tokens.

export interface OAuth2ClientCredentials {
  type: "oauth2_client_credentials";
  /** An http(s) URL, checked like an endpoint URL and guarded like one when requested. */
  token_url: string;
  client_id: string;
  client_secret: string;
  /** Space-separated scope tokens, sent as the `scope` parameter when given. */
  scope?: string;
}

// RFC 6749 Appendix A.1-A.2: client_id and client_secret are VSCHARs (printable ASCII and
// space); A.4: a scope is scope-tokens of NQCHARs (no space, `"` or `\`) separated by spaces.
const VSCHARS = /^[\x20-\x7e]*$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

export function checkOAuth2ClientCredentials(auth: {
  token_url?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
  scope?: string | undefined;
}): { param: string; message: string } | undefined {
  if (auth.token_url === undefined || auth.token_url === "") {
    return {
      param: "auth[token_url]",
      message: "oauth2_client_credentials needs the authorization server's token_url.",
    };
  }
  if (auth.client_id === undefined || auth.client_id === "") {
    return { param: "auth[client_id]", message: "oauth2_client_credentials needs a client_id." };
  }
  if (!VSCHARS.test(auth.client_id)) {
    return {
      param: "auth[client_id]",
      message: "the client_id must be printable ASCII (RFC 6749 Appendix A.1).",
    };
  }
  if (auth.client_secret === undefined || auth.client_secret === "") {
    return {
      param: "auth[client_secret]",
      message: "oauth2_client_credentials needs a client_secret.",
    };
  }
  if (!VSCHARS.test(auth.client_secret)) {
    return {
      param: "auth[client_secret]",
      message: "the client_secret must be printable ASCII (RFC 6749 Appendix A.2).",
    };
  }
  if (auth.scope !== undefined && !SCOPE.test(auth.scope)) {
    return {
      param: "auth[scope]",
      message:
        'the scope must be scope tokens separated by single spaces, without ", \\ or control characters (RFC 6749 §3.3).',
    };
  }
  return undefined;
}
