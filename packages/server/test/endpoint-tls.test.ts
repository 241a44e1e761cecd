import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import { expectError, invalid } from "./support/refusals.ts";
import { runCli } from "./support/run-cli.ts";
import { API_KEY, startTestServer, type TestServer, waitFor } from "./support/server.ts";
import { createTestPki, hasOpenssl, type Issued } from "./support/test-pki.ts";

// Mutual TLS to an endpoint: a real HTTPS server on 127.0.0.1 that asks for a client certificate
// signed by its own CA, certificates made by `openssl`, and the real (threaded) sender, which
// trusts the server's CA only through HOOKLINE_EXTRA_CA_CERTS.

const pki = hasOpenssl() ? createTestPki() : undefined;
let ca: Issued;
let client: Issued;
let stranger: Issued;
let serverCert: Issued;

/** An HTTPS receiver that accepts only clients whose certificate `ca` signed. */
async function startMtlsReceiver() {
  const seen: string[] = [];
  const server: Server = createServer(
    { cert: serverCert.cert, key: serverCert.key, ca: [ca.cert], requestCert: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push(peer.subject.CN as string);
      req.resume();
      req.on("end", () => res.end("ok"));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/webhooks`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The PEM with its second line of base64 zeroed: still PEM, no longer a certificate. */
function garbled(pem: string): string {
  const lines = pem.split("\n");
  lines[2] = "A".repeat(lines[2]!.length);
  return lines.join("\n");
}

describe.skipIf(pki === undefined)("a client certificate for mutual TLS to an endpoint", () => {
  let server: TestServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(() => {
    ca = pki!.ca("receivers-ca");
    const other = "other-ca";
    pki!.ca(other);
    serverCert = pki!.issue("receivers-ca", "receiver", "server");
    client = pki!.issue("receivers-ca", "hookline-client", "client");
    stranger = pki!.issue(other, "stranger-client", "client");
  });
  afterAll(() => pki?.remove());
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
    server = undefined;
  });

  it("is presented on deliveries and test sends; without it or with another CA's, the attempt fails and says why", async () => {
    server = await startTestServer({ HOOKLINE_EXTRA_CA_CERTS: ca.certPath });
    const receiver = await startMtlsReceiver();
    closers.push(receiver.close);
    const create = (tls: Issued | undefined) =>
      server!.api("POST", "/v1/webhook_endpoints", {
        url: receiver.url,
        enabled_events: ["*"],
        ...(tls === undefined ? {} : { tls_client_cert: tls.cert, tls_client_key: tls.key }),
      });
    const withCert = await create(client);
    const without = await create(undefined);
    const foreign = await create(stranger);
    expect(withCert.status).toBe(200);
    expect(withCert.body.tls_client_cert).toEqual({
      subject: "CN=hookline-client",
      issuer: "CN=receivers-ca",
      expires_at: expect.any(Number),
      fingerprint_sha256: expect.stringMatching(/^[0-9A-F:]{95}$/),
    });
    expect(without.body.tls_client_cert).toBeNull();

    await server.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    const deliveryOf = (endpoint: string) =>
      waitFor(async () => {
        const page = await server!.api("GET", `/v1/deliveries?endpoint=${endpoint}`);
        const delivery = page.body.data[0];
        if (delivery === undefined || delivery.attempt_count === 0) return undefined;
        return (await server!.api("GET", `/v1/deliveries/${delivery.id}`)).body;
      });
    const delivered = await deliveryOf(withCert.body.id);
    expect(delivered.status).toBe("succeeded");
    for (const refused of [await deliveryOf(without.body.id), await deliveryOf(foreign.body.id)]) {
      expect(refused.status).not.toBe("succeeded");
      expect(refused.attempts[0]).toMatchObject({
        error: { kind: "connection_failed", message: expect.stringMatching(/certificate/i) },
      });
    }
    // The alert the endpoint sent (TLS 1.3: after the handshake), and whether a certificate went.
    const bare = (await deliveryOf(without.body.id)).attempts[0].error.message;
    expect(bare).toMatch(
      /refused the TLS handshake \(certificate required\); sent without a client certificate/,
    );
    const untrusted = (await deliveryOf(foreign.body.id)).attempts[0].error.message;
    expect(untrusted).toMatch(
      /sent with the endpoint's client certificate, which it may not trust/,
    );

    const tested = await server.api("POST", `/v1/webhook_endpoints/${withCert.body.id}/test`);
    expect(tested.body.succeeded).toBe(true);
    const untested = await server.api("POST", `/v1/webhook_endpoints/${without.body.id}/test`);
    expect(untested.body.succeeded).toBe(false);
    // Only the endpoint with the receivers' CA's certificate got through, twice.
    expect(receiver.seen).toEqual(["hookline-client", "hookline-client"]);

    // The key is in no answer, and sealed in the database.
    const got = await server.api("GET", `/v1/webhook_endpoints/${withCert.body.id}`);
    const listed = await server.api("GET", "/v1/webhook_endpoints");
    const shown = JSON.stringify([withCert.body, got.body, listed.body, delivered, tested.body]);
    const keyBody = client.key.split("\n")[1]!;
    expect(shown).not.toContain(keyBody);
    const db = new Database(server.config.database, { readonly: true });
    const row = db
      .prepare("SELECT tls_client_cert, tls_client_key FROM endpoints WHERE id = ?")
      .get(withCert.body.id) as { tls_client_cert: string; tls_client_key: string };
    db.close();
    expect(row.tls_client_key).toMatch(/^enc:v1:/);
    expect(row.tls_client_cert).toContain("BEGIN CERTIFICATE");

    // Removed together: the next test send goes without it and is refused.
    const removed = await server.api("POST", `/v1/webhook_endpoints/${withCert.body.id}`, {
      tls_client_cert: null,
      tls_client_key: null,
    });
    expect(removed.body.tls_client_cert).toBeNull();
    const after = await server.api("POST", `/v1/webhook_endpoints/${withCert.body.id}/test`);
    expect(after.body.succeeded).toBe(false);
  });

  it("trusts only CA certificates from HOOKLINE_EXTRA_CA_CERTS, refusing to start on another", () => {
    expect(loadConfig({}, { HOOKLINE_EXTRA_CA_CERTS: ca.certPath }).extraCaCerts).toHaveLength(1);
    expect(() => loadConfig({}, { HOOKLINE_EXTRA_CA_CERTS: client.certPath })).toThrow(
      /HOOKLINE_EXTRA_CA_CERTS: certificate 1 of .* is not a CA certificate/,
    );
  });

  it("refuses a certificate without its key, one that does not parse or has expired, and a key that is not its own or is encrypted, writing nothing", async () => {
    // Three days on: the test certificates (two days) have expired.
    const later = Date.now() + 3 * 86_400_000;
    server = await startTestServer({}, { clock: () => later });
    const expiredCheck = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
      tls_client_cert: client.cert,
      tls_client_key: client.key,
    });
    expectError(expiredCheck, invalid("tls_client_cert"));
    expect(expiredCheck.body.error.message).toMatch(/expired/);
    await server.stop();

    server = await startTestServer();
    const cases: [Record<string, unknown>, string][] = [
      [{ tls_client_cert: client.cert }, "tls_client_key"],
      [{ tls_client_key: client.key }, "tls_client_cert"],
      [{ tls_client_cert: client.cert, tls_client_key: null }, "tls_client_key"],
      [{ tls_client_cert: "not a certificate", tls_client_key: client.key }, "tls_client_cert"],
      [{ tls_client_cert: garbled(client.cert), tls_client_key: client.key }, "tls_client_cert"],
      [{ tls_client_cert: client.cert, tls_client_key: "not a key" }, "tls_client_key"],
      [{ tls_client_cert: client.cert, tls_client_key: stranger.key }, "tls_client_key"],
      [
        { tls_client_cert: client.cert, tls_client_key: pki!.encrypted("hookline-client") },
        "tls_client_key",
      ],
      [{ tls_client_cert: "x".repeat(40_000), tls_client_key: client.key }, "tls_client_cert"],
      [{ tls_client_cert: client.cert, tls_client_key: 42 }, "tls_client_key"],
    ];
    for (const [fields, param] of cases) {
      const answer = await server.api("POST", "/v1/webhook_endpoints", {
        url: "https://example.com/hooks",
        enabled_events: ["*"],
        ...fields,
      });
      expectError(answer, invalid(param));
    }
    expect((await server.api("GET", "/v1/webhook_endpoints")).body.data).toEqual([]);

    // An update that gives one without the other changes nothing.
    const endpoint = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
      tls_client_cert: client.cert,
      tls_client_key: client.key,
    });
    const half = await server.api("POST", `/v1/webhook_endpoints/${endpoint.body.id}`, {
      description: "changed",
      tls_client_cert: null,
    });
    expectError(half, invalid("tls_client_key"));
    const unchanged = await server.api("GET", `/v1/webhook_endpoints/${endpoint.body.id}`);
    expect(unchanged.body.description).toBeNull();
    expect(unchanged.body.tls_client_cert.subject).toBe("CN=hookline-client");
  });

  it("is given to the CLI as files: --tls-cert and --tls-key together, --remove-tls-cert", {
    timeout: 60_000,
  }, async () => {
    server = await startTestServer();
    const connection = ["--url", server.url, "--api-key", API_KEY];
    const create = await runCli([
      ...["endpoints", "create", "https://example.com/hooks", "--events", "*"],
      ...["--tls-cert", client.certPath, "--tls-key", client.keyPath],
      ...connection,
    ]);
    expect(create.stderr).toBe("");
    expect(create.stdout).toMatch(/^client cert\s+CN=hookline-client, expires \d{4}-/m);
    const id = /Created (we_\w+)/.exec(create.stdout)![1]!;
    const alone = await runCli([
      "endpoints",
      "update",
      id,
      "--tls-cert",
      client.certPath,
      ...connection,
    ]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--tls-cert and --tls-key go together");
    const removed = await runCli([
      "endpoints",
      "update",
      id,
      "--remove-tls-cert",
      "--json",
      ...connection,
    ]);
    expect(JSON.parse(removed.stdout).tls_client_cert).toBeNull();
  });
});
