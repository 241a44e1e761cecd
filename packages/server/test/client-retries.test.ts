import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Hookline, HooklineApiError, HooklineConnectionError } from "@hookline/webhooks/client";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, retryDelayMs } from "../../webhooks/src/client/retry.ts";

type Script = (res: ServerResponse, index: number) => void;

/** An API stand-in on 127.0.0.1 that answers each request as `script` says and records it. */
async function scriptedApi(script: Script) {
  const requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers });
      script(res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", "request-id": "req_x", ...headers });
  res.end(JSON.stringify(body));
};
const busy = { error: { type: "api_error", code: "busy", message: "try later" } };
const ENDPOINT = { id: "we_1", object: "webhook_endpoint" };

describe("client retries", () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  const start = async (script: Script) => {
    const api = await scriptedApi(script);
    closers.push(api.close);
    return api;
  };

  it("retries a create after 503, 429 and a dropped connection, with one Idempotency-Key", async () => {
    const api = await start((res, i) => {
      if (i === 0) json(res, 503, busy, { "retry-after": "0" });
      else if (i === 1) json(res, 429, busy, { "retry-after": "0" });
      else if (i === 2) res.socket?.destroy();
      else json(res, 200, ENDPOINT);
    });
    const client = new Hookline({ url: api.url, apiKey: "k", maxRetries: 3 });
    const created = await client.endpoints.create({ url: "https://x.test", enabled_events: ["*"] });
    expect(created).toEqual(ENDPOINT);
    const keys = api.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.requests.every((r) => r.headers.authorization === "Bearer k")).toBe(true);
  });

  it("gives up after maxRetries and throws the last answer as a typed error", async () => {
    const api = await start((res) => json(res, 503, busy, { "retry-after": "0" }));
    const client = new Hookline({ url: api.url, apiKey: "k", maxRetries: 2 });
    const error = await client.events.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HooklineApiError);
    expect(error).toMatchObject({
      status: 503,
      code: "busy",
      type: "api_error",
      requestId: "req_x",
    });
    expect(api.requests).toHaveLength(3);
  });

  it("does not wait when Retry-After asks for more than a minute", async () => {
    const api = await start((res) => json(res, 429, busy, { "retry-after": "3600" }));
    const client = new Hookline({ url: api.url, apiKey: "k", maxRetries: 5 });
    await expect(client.events.list()).rejects.toMatchObject({ status: 429 });
    expect(api.requests).toHaveLength(1);
  });

  it("never repeats a secret rotation the server may have done, only one refused with 429", async () => {
    const failing = await start((res) => json(res, 503, busy, { "retry-after": "0" }));
    const client = new Hookline({ url: failing.url, apiKey: "k", maxRetries: 3 });
    await expect(client.endpoints.rotateSecret("we_1")).rejects.toMatchObject({ status: 503 });
    expect(failing.requests).toHaveLength(1);
    const limited = await start((res, i) =>
      i === 0 ? json(res, 429, busy, { "retry-after": "0" }) : json(res, 200, ENDPOINT),
    );
    const again = new Hookline({ url: limited.url, apiKey: "k", maxRetries: 3 });
    await expect(again.endpoints.rotateSecret("we_1")).resolves.toEqual(ENDPOINT);
    expect(limited.requests).toHaveLength(2);
    expect(limited.requests[0]!.headers["idempotency-key"]).toBeUndefined();
  });

  it("does not retry a refused request (4xx other than 429)", async () => {
    const api = await start((res) =>
      json(res, 400, {
        error: {
          type: "invalid_request_error",
          code: "parameter_invalid",
          message: "bad",
          param: "url",
        },
      }),
    );
    const client = new Hookline({ url: api.url, apiKey: "k" });
    await expect(
      client.endpoints.create({ url: "x", enabled_events: ["*"] }),
    ).rejects.toMatchObject({ status: 400, param: "url", code: "parameter_invalid" });
    expect(api.requests).toHaveLength(1);
  });

  it("reports no answer at all as a connection error after the retries", async () => {
    const api = await start((res) => res.socket?.destroy());
    const client = new Hookline({ url: api.url, apiKey: "k", maxRetries: 1 });
    const error = await client.deliveries.retrieve("dlv_1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HooklineConnectionError);
    expect(error).toMatchObject({ type: "connection_error", status: 0 });
    expect(api.requests).toHaveLength(2);
  });
});

describe("retry delays", () => {
  it("follow Retry-After in seconds or as an HTTP date, else back off exponentially with jitter", () => {
    expect(retryDelayMs(1, "2")).toBe(2000);
    expect(retryDelayMs(1, new Date(10_000).toUTCString(), { now: 7_000 })).toBe(3000);
    expect(retryDelayMs(1, `${MAX_RETRY_AFTER_MS / 1000 + 1}`)).toBeUndefined();
    expect(retryDelayMs(1, null, { random: () => 0 })).toBe(250);
    expect(retryDelayMs(1, null, { random: () => 1 })).toBe(500);
    expect(retryDelayMs(3, null, { random: () => 1 })).toBe(2000);
    expect(retryDelayMs(10, null, { random: () => 1 })).toBe(8000);
    expect(retryDelayMs(2, "soon", { random: () => 1 })).toBe(1000);
  });
});
