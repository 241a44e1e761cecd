import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, startTestServer, type TestServer } from "./support/server.ts";

// The listen-session routes refuse bad input with the usual error shape and write nothing.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const endpointUrls = async () =>
  (await server.api("GET", "/v1/webhook_endpoints?limit=100")).body.data.map(
    (e: { url: string }) => e.url,
  );

describe("POST /v1/listen_sessions", () => {
  it("creates a session once per name: the same name answers the same endpoint and secret", async () => {
    const first = await server.api("POST", "/v1/listen_sessions", { name: "api-same" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      object: "webhook_endpoint",
      url: "hookline-listen://tn_default/api-same",
      enabled_events: ["*"],
      status: "enabled",
    });
    expect(first.body.secret).toMatch(/^whsec_/);
    const [again, concurrent] = await Promise.all([
      server.api("POST", "/v1/listen_sessions", {
        name: "api-same",
        enabled_events: ["invoice.*"],
      }),
      server.api("POST", "/v1/listen_sessions", {
        name: "api-same",
        enabled_events: ["invoice.*"],
      }),
    ]);
    for (const answer of [again, concurrent]) {
      expect(answer.body).toMatchObject({ id: first.body.id, secret: first.body.secret });
    }
    expect(again.body.enabled_events).toEqual(["invoice.*"]);
    expect(
      (await endpointUrls()).filter((u: string) => u === "hookline-listen://tn_default/api-same"),
    ).toHaveLength(1);
  });

  it("keeps tenants apart: one name in two tenants is two sessions, each reachable only by its tenant", async () => {
    const tenant = (await server.api("POST", "/v1/tenants", { name: "Listeners" })).body.id;
    const mine = await server.api("POST", "/v1/listen_sessions", { name: "api-shared" });
    const theirs = await server.api(
      "POST",
      "/v1/listen_sessions",
      { name: "api-shared" },
      { "hookline-tenant": tenant },
    );
    expect(theirs.body.url).toBe(`hookline-listen://${tenant}/api-shared`);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.secret).not.toBe(mine.body.secret);
    const crossed = await server.api("POST", `/v1/listen_sessions/${theirs.body.id}/results`, {
      attempt: "a1",
      status: 200,
      duration_ms: 1,
    });
    expect(crossed.status).toBe(404);
    expect(crossed.body.error).toMatchObject({ code: "resource_missing", param: "id" });
  });

  it("re-enables a session that was disabled: its listener is back", async () => {
    const session = await server.api("POST", "/v1/listen_sessions", { name: "api-disabled" });
    await server.api("POST", `/v1/webhook_endpoints/${session.body.id}`, { disabled: true });
    const back = await server.api("POST", "/v1/listen_sessions", { name: "api-disabled" });
    expect(back.body).toMatchObject({
      id: session.body.id,
      status: "enabled",
      disabled_reason: null,
    });
  });

  it.each([
    [{ name: "has spaces" }, "parameter_invalid", "name"],
    [{ name: "-leading" }, "parameter_invalid", "name"],
    [{ name: "x".repeat(65) }, "parameter_invalid", "name"],
    [{ name: "ok", enabled_events: ["not a pattern!"] }, "parameter_invalid", "enabled_events[0]"],
    [{ name: "ok", enabled_events: [] }, "parameter_invalid", "enabled_events"],
    [{ name: "ok", url: "http://example.com" }, "parameter_unknown", "url"],
  ])("refuses %j (%s, param %s) and creates nothing", async (body, code, param) => {
    const before = await endpointUrls();
    const answer = await server.api("POST", "/v1/listen_sessions", body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: "invalid_request_error", code, param });
    expect(answer.body.error.message).toEqual(expect.any(String));
    expect(await endpointUrls()).toEqual(before);
  });

  it("needs the API key", async () => {
    const response = await fetch(`${server.url}/v1/listen_sessions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer hk_not_the_key_000000",
      },
      body: JSON.stringify({ name: "api-nokey" }),
    });
    expect(response.status).toBe(401);
    const refused = (await response.json()) as { error: { code: string } };
    expect(refused.error.code).toBe("api_key_invalid");
    expect(await endpointUrls()).not.toContain("hookline-listen://tn_default/api-nokey");
  });

  it("leaves webhook_endpoints refusing the listen scheme", async () => {
    const answer = await server.api("POST", "/v1/webhook_endpoints", {
      url: "hookline-listen://sneaky",
      enabled_events: ["*"],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: "parameter_invalid", param: "url" });
  });
});

describe("GET /v1/listen_sessions/{id}/stream and POST …/results", () => {
  let sessionId: string;
  let plainId: string;
  beforeAll(async () => {
    sessionId = (await server.api("POST", "/v1/listen_sessions", { name: "api-stream" })).body.id;
    plainId = (
      await server.api("POST", "/v1/webhook_endpoints", {
        url: "https://example.com/hook",
        enabled_events: ["*"],
      })
    ).body.id;
  });

  it.each([
    ["/v1/listen_sessions/we_doesnotexist000/stream", 404, "resource_missing", "id"],
    ["/v1/listen_sessions/evt_wrongkind/stream", 404, "resource_missing", "id"],
    ["{plain}/stream", 404, "resource_missing", "id"],
    ["{session}/stream?timeout_ms=10", 400, "parameter_invalid", "timeout_ms"],
    ["{session}/stream?timeout_ms=7200000", 400, "parameter_invalid", "timeout_ms"],
    ["{session}/stream?colour=blue", 400, "parameter_unknown", "colour"],
  ])("GET %s is refused with %i %s", async (path, status, code, param) => {
    const url = path
      .replace("{plain}", `/v1/listen_sessions/${plainId}`)
      .replace("{session}", `/v1/listen_sessions/${sessionId}`);
    const answer = await server.api("GET", url);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ code, param });
    expect(server.listen.isConnected("hookline-listen://tn_default/api-stream")).toBe(false);
  });

  it("streams `ready` with the key, and refuses the stream without it", async () => {
    const refused = await fetch(`${server.url}/v1/listen_sessions/${sessionId}/stream`);
    expect(refused.status).toBe(401);
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/listen_sessions/${sessionId}/stream`, {
      headers: { authorization: `Bearer ${API_KEY}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n\n")) text += (await reader.read()).value ?? "";
    expect(text).toContain("event: ready\n");
    expect(JSON.parse(/data: (.*)\n/.exec(text)![1]!)).toEqual({
      session: sessionId,
      name: "api-stream",
      timeout_ms: 15_000,
    });
    expect(server.listen.isConnected("hookline-listen://tn_default/api-stream")).toBe(true);
    controller.abort();
  });

  it.each([
    [
      "neither status nor error",
      { attempt: "a1", duration_ms: 1 },
      400,
      "parameter_invalid",
      "status",
    ],
    [
      "both status and error",
      { attempt: "a1", status: 200, error: { kind: "timeout", message: "x" }, duration_ms: 1 },
      400,
      "parameter_invalid",
      "error",
    ],
    ["no duration", { attempt: "a1", status: 200 }, 400, "parameter_missing", "duration_ms"],
    [
      "a status out of range",
      { attempt: "a1", status: 42, duration_ms: 1 },
      400,
      "parameter_invalid",
      "status",
    ],
    [
      "an unknown error kind",
      { attempt: "a1", error: { kind: "bad", message: "x" }, duration_ms: 1 },
      400,
      "parameter_invalid",
      "error[kind]",
    ],
    [
      "a body over 4 KB",
      { attempt: "a1", status: 200, duration_ms: 1, body: "x".repeat(4097) },
      400,
      "parameter_invalid",
      "body",
    ],
    [
      "an attempt nobody waits for",
      { attempt: "not-waiting", status: 200, duration_ms: 1 },
      404,
      "resource_missing",
      "attempt",
    ],
  ])("POST results with %s is refused", async (_what, body, status, code, param) => {
    const answer = await server.api("POST", `/v1/listen_sessions/${sessionId}/results`, body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ code, param });
  });

  it("refuses results for an endpoint that is not a listen session", async () => {
    const answer = await server.api("POST", `/v1/listen_sessions/${plainId}/results`, {
      attempt: "a1",
      status: 200,
      duration_ms: 1,
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: "resource_missing", param: "id" });
  });
});
