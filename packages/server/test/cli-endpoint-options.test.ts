import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.ts";
import { API_KEY, startTestServer, type TestServer } from "./support/server.ts";

// `endpoints create` and `endpoints update` take an endpoint's custom headers, payload filter
// and authentication as flags (cli/endpoint-option-flags.ts); the server checks them, and the
// CLI prints its refusal. Only loopback: the endpoint URLs are never called here.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("the CLI's endpoint option flags", () => {
  it("creates and updates an endpoint's headers, filter and auth, and prints what it kept", {
    timeout: 90_000,
  }, async () => {
    server = await startTestServer();
    const connection = ["--url", server.url, "--api-key", API_KEY];
    const create = await runCli([
      ...["endpoints", "create", "https://receiver.test/hooks", "--events", "*"],
      ...["--header", "X-Team: billing", "--header", "X-Region: eu"],
      ...["--filter", '{"data.object.amount": {"$gte": 1000}}'],
      ...["--basic-auth", "hookline:s3cret:with-colon"],
      ...connection,
    ]);
    expect(create.stderr).toBe("");
    expect(create.stdout).toMatch(/^headers\s+X-Team, X-Region$/m);
    expect(create.stdout).toMatch(/^filter\s+\{"data\.object\.amount":\{"\$gte":1000\}\}$/m);
    expect(create.stdout).toMatch(/^auth\s+basic, user hookline$/m);
    expect(create.stdout).not.toContain("s3cret");
    const id = /Created (we_\w+)/.exec(create.stdout)![1]!;

    const update = await runCli([
      ...["endpoints", "update", id, "--remove-header", "X-Region", "--header", "X-Env: prod"],
      ...["--remove-filter", "--oauth2-token-url", "https://auth.receiver.test/token"],
      ...["--oauth2-client-id", "hookline", "--oauth2-client-secret", "cs", "--json"],
      ...connection,
    ]);
    expect(update.stderr).toBe("");
    const updated = JSON.parse(update.stdout);
    expect(Object.keys(updated.headers).sort()).toEqual(["X-Env", "X-Team"]);
    expect(updated.filter).toBeNull();
    expect(updated.auth).toEqual({
      type: "oauth2_client_credentials",
      token_url: "https://auth.receiver.test/token",
      client_id: "hookline",
      scope: null,
    });

    const removed = await runCli([
      "endpoints",
      "update",
      id,
      "--remove-auth",
      "--json",
      ...connection,
    ]);
    expect(JSON.parse(removed.stdout).auth).toBeNull();
  });

  it("refuses malformed flags before asking, and prints the server's refusal of bad values", {
    timeout: 90_000,
  }, async () => {
    server = await startTestServer();
    const connection = ["--url", server.url, "--api-key", API_KEY];
    const create = (...flags: string[]) =>
      runCli([
        ...["endpoints", "create", "https://receiver.test/hooks", "--events", "*"],
        ...flags,
        ...connection,
      ]);
    const cases: [string[], string][] = [
      [["--header", "X-Team billing"], 'give it as "Name: value"'],
      [["--filter", "{amount: 1}"], "--filter: not JSON"],
      [["--filter", "[1]"], "--filter: give a JSON object"],
      [["--basic-auth", "nocolon"], 'give it as "user:password"'],
      [["--oauth2-token-url", "https://a.test/t"], "go together"],
      [["--basic-auth", "u:p", "--oauth2-client-id", "x"], "give one of"],
    ];
    for (const [flags, message] of cases) {
      const result = await create(...flags);
      expect(result.code, flags.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
    // Well-formed flags, values the server refuses: its error names the field.
    const sender = await create("--header", "Stripe-Signature: forged");
    expect(sender.code).not.toBe(0);
    expect(sender.stderr).toContain("Stripe-Signature");
    const filter = await create("--filter", '{"data.amount": {"$near": 1}}');
    expect(filter.code).not.toBe(0);
    expect(filter.stderr).toContain("$near");
    // Nothing was created by any of them.
    const list = await runCli(["endpoints", "list", "--json", ...connection]);
    expect(JSON.parse(list.stdout).data).toEqual([]);
  });
});
