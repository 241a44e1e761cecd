import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createSender, type Sender } from "../src/dispatch/send.ts";
import {
  type AuthorizationServer,
  bearerOf,
  CLIENT_ID,
  CLIENT_SECRET,
  startAuthorizationServer,
} from "./support/oauth2-server.ts";
import { type Receiver, startReceiver } from "./support/raw-receiver.ts";
import { expectEndpointFieldRefused, expectError, invalid } from "./support/refusals.ts";
import { sendRequest } from "./support/send-request.ts";
import { startTestServer, type TestServer, waitFor } from "./support/server.ts";

// Every address here is loopback: the authorization server (oidc-provider, the client
// credentials grant) and the receivers listen on 127.0.0.x.

const opened: { close(): Promise<void> }[] = [];
let server: TestServer | undefined;
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
  await server?.stop();
  server = undefined;
});

async function authorizationServer(options?: { ttlSeconds?: number }) {
  const started = await startAuthorizationServer(options);
  opened.push(started);
  return started;
}

/** A receiver that takes only live tokens of `issuer` (a resource server, as a gateway is). */
async function protectedReceiver(issuer: AuthorizationServer): Promise<Receiver> {
  const started = await startReceiver((res, req) => {
    void issuer.accepts(bearerOf(req.headers.authorization)).then((ok) => {
      res.statusCode = ok ? 200 : 401;
      res.end(ok ? "ok" : "invalid_token");
    });
  });
  opened.push(started);
  return started;
}

function oauth2(issuer: AuthorizationServer, overrides: Record<string, string> = {}) {
  return {
    type: "oauth2_client_credentials",
    token_url: issuer.tokenUrl,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    scope: "webhooks:write",
    ...overrides,
  };
}

const attempt = (url: string, auth: object) => sendRequest(url, { auth: JSON.stringify(auth) });

function sender(options: { now?: () => number; allowedNetworks?: string[] } = {}): Sender {
  const created = createSender({
    timeoutMs: 5_000,
    policy: { allowedNetworks: options.allowedNetworks ?? ["127.0.0.0/8"], allowLoopback: false },
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  opened.push(created);
  return created;
}

describe("OAuth2 client credentials to an endpoint, through the server", () => {
  it("sends a token from the authorization server on deliveries and test sends, and never shows the secret", async () => {
    const issuer = await authorizationServer();
    const receiver = await protectedReceiver(issuer);
    server = await startTestServer();
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: `${receiver.url}/hooks`,
      enabled_events: ["*"],
      auth: oauth2(issuer),
    });
    expect(created.status).toBe(200);
    expect(created.body.auth).toEqual({
      type: "oauth2_client_credentials",
      token_url: issuer.tokenUrl,
      client_id: CLIENT_ID,
      scope: "webhooks:write",
    });

    for (const type of ["invoice.paid", "invoice.created"]) {
      await server.api("POST", "/v1/events", { type, data: { object: {} } });
    }
    const delivered = await waitFor(async () => {
      const page = await server!.api("GET", "/v1/deliveries?status=succeeded");
      return page.body.data.length === 2 ? page.body.data : undefined;
    });
    // Both deliveries went with the one token the sender got and kept.
    const tokens = receiver.requests.map((r) => bearerOf(r.headers.authorization));
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBeDefined();
    expect(tokens[1]).toBe(tokens[0]);
    expect(issuer.tokenRequests).toBe(1);

    const tested = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`);
    expect(tested.body.succeeded).toBe(true);

    const attempt = (await server.api("GET", `/v1/deliveries/${delivered[0].id}`)).body.attempts[0];
    expect(attempt.request_headers.authorization).toBe("********");
    const got = await server.api("GET", `/v1/webhook_endpoints/${created.body.id}`);
    const listed = await server.api("GET", "/v1/webhook_endpoints");
    const shown = JSON.stringify([created.body, got.body, listed.body, attempt, tested.body]);
    expect(shown).not.toContain(CLIENT_SECRET);
    expect(shown).not.toContain(tokens[0]);
    // Sealed in the database with the rest of `auth`.
    const db = new Database(server.config.database, { readonly: true });
    const row = db.prepare("SELECT auth FROM endpoints WHERE id = ?").get(created.body.id) as {
      auth: string;
    };
    db.close();
    expect(row.auth).toMatch(/^enc:v1:/);
  });

  it("records a refused client as a failed attempt that names the token endpoint's error, without the secret", async () => {
    const issuer = await authorizationServer();
    const receiver = await protectedReceiver(issuer);
    server = await startTestServer();
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
      auth: oauth2(issuer, { client_secret: "not-the-secret-4417" }),
    });
    const tested = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`);
    expect(tested.body.succeeded).toBe(false);
    expect(tested.body.attempt.error.kind).toBe("auth_failed");
    expect(tested.body.attempt.error.message).toMatch(
      /^no OAuth2 token: token endpoint answered 401: invalid_client/,
    );
    expect(JSON.stringify(tested.body)).not.toContain("not-the-secret-4417");
    expect(receiver.requests).toHaveLength(0);
  });
});

describe("the sender's OAuth2 tokens", () => {
  it("keeps a token until shortly before it expires, then gets a new one", async () => {
    const issuer = await authorizationServer({ ttlSeconds: 600 });
    const receiver = await protectedReceiver(issuer);
    let clock = Date.now();
    const send = sender({ now: () => clock });
    const auth = oauth2(issuer);
    expect((await send.send(attempt(receiver.url, auth))).kind).toBe("delivered");
    clock += 539_000; // 600 s less a minute, less a second: still kept
    expect((await send.send(attempt(receiver.url, auth))).kind).toBe("delivered");
    expect(issuer.tokenRequests).toBe(1);
    clock += 2_000;
    expect((await send.send(attempt(receiver.url, auth))).kind).toBe("delivered");
    expect(issuer.tokenRequests).toBe(2);
    const tokens = receiver.requests.map((r) => bearerOf(r.headers.authorization));
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it("gets one token for attempts that need it at the same time", async () => {
    const issuer = await authorizationServer();
    const receiver = await protectedReceiver(issuer);
    const send = sender();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => send.send(attempt(receiver.url, oauth2(issuer)))),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(Array(5).fill("delivered"));
    expect(issuer.tokenRequests).toBe(1);
  });

  it("on a 401, gets a new token and sends the same attempt once more", async () => {
    const issuer = await authorizationServer();
    const receiver = await protectedReceiver(issuer);
    const send = sender();
    const auth = oauth2(issuer);
    expect((await send.send(attempt(receiver.url, auth))).kind).toBe("delivered");
    await issuer.revokeAll();

    const outcome = await send.send(attempt(receiver.url, auth));
    expect(outcome).toMatchObject({ kind: "delivered", status: 200 });
    expect(issuer.tokenRequests).toBe(2);
    const [first, refused, again] = receiver.requests;
    expect(bearerOf(refused!.headers.authorization)).toBe(bearerOf(first!.headers.authorization));
    expect(bearerOf(again!.headers.authorization)).not.toBe(
      bearerOf(refused!.headers.authorization),
    );
    // The same attempt: the same signature, sent twice.
    expect(again!.headers["webhook-signature"]).toBe(refused!.headers["webhook-signature"]);
  });

  it("sends once more only: a second 401 is the attempt's answer", async () => {
    const issuer = await authorizationServer();
    const receiver = await startReceiver((res) => {
      res.statusCode = 401;
      res.end("no");
    });
    opened.push(receiver);
    const outcome = await sender().send(attempt(receiver.url, oauth2(issuer)));
    expect(outcome).toMatchObject({ kind: "failed", error: "http_status", status: 401 });
    expect(receiver.requests).toHaveLength(2);
    expect(issuer.tokenRequests).toBe(2);
  });

  it("sends Basic credentials once: a 401 is not retried", async () => {
    const receiver = await startReceiver((res) => {
      res.statusCode = 401;
      res.end("no");
    });
    opened.push(receiver);
    const basic = { type: "basic", username: "a", password: "b" };
    const outcome = await sender().send(attempt(receiver.url, basic));
    expect(outcome).toMatchObject({ kind: "failed", status: 401 });
    expect(receiver.requests).toHaveLength(1);
  });

  it("refuses a token URL the address guard refuses, without requesting it", async () => {
    // The receiver is allowed (127.0.0.2), the authorization server on 127.0.0.1 is not.
    const issuer = await authorizationServer();
    const receiver = await startReceiver(undefined, { host: "127.0.0.2" });
    opened.push(receiver);
    const send = sender({ allowedNetworks: ["127.0.0.2/32"] });
    const port = new URL(issuer.tokenUrl).port;
    for (const tokenUrl of [issuer.tokenUrl, `http://localhost:${port}/token`]) {
      const outcome = await send.send(
        attempt(receiver.url, oauth2(issuer, { token_url: tokenUrl })),
      );
      expect(outcome).toMatchObject({ kind: "failed", error: "address_blocked", retryable: false });
      if (outcome.kind === "failed")
        expect(outcome.message).toMatch(/^token_url refused: .*loopback/);
    }
    expect(issuer.tokenRequests).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it("fails the attempt when the token endpoint answers no token", async () => {
    const notOAuth = await startReceiver((res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ token_type: "Bearer" }));
    });
    const receiver = await startReceiver();
    opened.push(notOAuth, receiver);
    const auth = oauth2({ tokenUrl: `${notOAuth.url}/token` } as AuthorizationServer);
    const outcome = await sender().send(attempt(receiver.url, auth));
    expect(outcome).toMatchObject({
      kind: "failed",
      error: "auth_failed",
      retryable: true,
      message: "no OAuth2 token: token endpoint answered 200 without an access_token",
    });
    expect(outcome.requestHeaders.authorization).toBe("********");
    // The token request was form-encoded with the client authenticated by Basic (RFC 6749).
    const asked = notOAuth.requests[0]!;
    expect(asked.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(asked.body.toString()).toBe("grant_type=client_credentials&scope=webhooks%3Awrite");
    expect(asked.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
    );
    expect(receiver.requests).toHaveLength(0);
  });
});

describe("refusing a bad oauth2_client_credentials auth", () => {
  it("names the field and writes nothing, at create and at update", async () => {
    server = await startTestServer();
    const good = {
      type: "oauth2_client_credentials",
      token_url: "https://auth.example.com/oauth/token",
      client_id: "hookline",
      client_secret: "s3cret",
    };
    const cases: [object, string][] = [
      [{ ...good, token_url: undefined }, "auth[token_url]"],
      [{ ...good, token_url: "not a url" }, "auth[token_url]"],
      [{ ...good, token_url: "ftp://auth.example.com/token" }, "auth[token_url]"],
      [{ ...good, token_url: "https://u:p@auth.example.com/token" }, "auth[token_url]"],
      [{ ...good, token_url: "https://auth.example.com/token#x" }, "auth[token_url]"],
      [{ ...good, client_id: undefined }, "auth[client_id]"],
      [{ ...good, client_id: "tab\tin" }, "auth[client_id]"],
      [{ ...good, client_secret: "" }, "auth[client_secret]"],
      [{ ...good, client_secret: "é-not-ascii" }, "auth[client_secret]"],
      [{ ...good, scope: "" }, "auth[scope]"],
      [{ ...good, scope: "a  b" }, "auth[scope]"],
      [{ ...good, scope: 'quote"d' }, "auth[scope]"],
      [{ ...good, password: "x" }, "auth[password]"],
      [{ type: "basic", username: "a", password: "b", client_id: "c" }, "auth[client_id]"],
      [{ type: "oauth2" }, "auth[type]"],
    ];
    await expectEndpointFieldRefused(server.api, "auth", cases);
    expect((await server.api("GET", "/v1/webhook_endpoints")).body.data).toEqual([]);

    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
      auth: good,
    });
    expect(created.body.auth.scope).toBeNull();
    for (const [auth, param] of cases) {
      const answer = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}`, {
        auth,
        description: "must not be written",
      });
      expectError(answer, invalid(param));
    }
    const after = await server.api("GET", `/v1/webhook_endpoints/${created.body.id}`);
    expect(after.body).toEqual({ ...created.body, secret: undefined, health: after.body.health });
  });

  it("refuses a plain http token URL under --https-only", async () => {
    server = await startTestServer({ HOOKLINE_HTTPS_ONLY: "true" });
    const answer = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
      auth: {
        type: "oauth2_client_credentials",
        token_url: "http://auth.example.com/token",
        client_id: "a",
        client_secret: "b",
      },
    });
    expectError(answer, invalid("auth[token_url]"));
  });
});
