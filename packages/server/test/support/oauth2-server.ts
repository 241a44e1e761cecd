// A real OAuth2 authorization server (oidc-provider) on 127.0.0.1 with the client credentials
// grant, for the tests of endpoints that authenticate with a bearer token.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface AuthorizationServer {
  /** `http://127.0.0.1:<port>/token` */
  tokenUrl: string;
  /** Token requests it got, successful or not. */
  tokenRequests: number;
  /** Whether `token` is a live access token it issued (the receiver's check). */
  accepts(token: string | undefined): Promise<boolean>;
  /** Revokes every token issued so far, as an authorization server does on a key rollover. */
  revokeAll(): Promise<void>;
  close(): Promise<void>;
}

export const CLIENT_ID = "hookline-sender";
export const CLIENT_SECRET = "cs_9a1Vq2pLr7xY0wE3tK6uZ8mN";

export async function startAuthorizationServer(
  options: { ttlSeconds?: number } = {},
): Promise<AuthorizationServer> {
  const issued: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/token")) state.tokenRequests += 1;
    callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: "client_secret_basic",
        scope: "webhooks:write",
      },
    ],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    scopes: ["webhooks:write"],
    ttl: { ClientCredentials: options.ttlSeconds ?? 600 },
  });
  provider.on("client_credentials.saved", (token: { jti: string }) => {
    issued.push(token.jti);
  });
  const callback = provider.callback();
  const state: AuthorizationServer = {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    tokenRequests: 0,
    async accepts(token) {
      if (token === undefined) return false;
      const found = await provider.ClientCredentials.find(token);
      return found !== undefined && !found.isExpired;
    },
    async revokeAll() {
      for (const jti of issued.splice(0)) {
        const token = await provider.ClientCredentials.find(jti);
        await token?.destroy();
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerOf(header: string | string[] | undefined): string | undefined {
  return typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : undefined;
}
