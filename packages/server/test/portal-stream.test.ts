import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/server.ts";

// A portal link opens the live stream too; the stream used to stay open for as long as the
// browser kept it, long after the link expired, so an expired link still watched the tenant's
// events arrive. It now ends when the link does, and reconnecting is refused.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

it("ends a portal link's live stream when the link expires, and refuses it after", async () => {
  const tenant = (await server.api("POST", "/v1/tenants", { name: "Acme" })).body.id;
  const link = await server.api("POST", `/v1/tenants/${tenant}/portal_links`, { expires_in: 2 });
  expect(link.status).toBe(200);
  const headers = { authorization: `Bearer ${link.body.token}` };

  const stream = await fetch(`${server.url}/v1/stream`, { headers });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  // Read until the server ends the stream; a bound (well past the link's 2 s) turns a stream
  // that never ends into a failure with a reason rather than a hung test.
  let bound: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    (async () => {
      while (!(await reader.read()).done) {}
      return "ended";
    })(),
    new Promise<string>((resolveBound) => {
      bound = setTimeout(() => resolveBound("still open 15 s later"), 15_000);
    }),
  ]);
  clearTimeout(bound);
  await reader.cancel().catch(() => {});
  expect(ended).toBe("ended");
  expect(Date.now() / 1000).toBeGreaterThanOrEqual(link.body.expires_at);

  const again = await fetch(`${server.url}/v1/stream`, { headers });
  expect(again.status).toBe(401);
  await again.body?.cancel();
});
