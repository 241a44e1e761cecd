import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { expectError, invalid, noSuch } from "./support/refusals.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const stripe = new Stripe("sk_test_send");

describe("POST /v1/webhook_endpoints/{id}/test", () => {
  let server: TestServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
    server = undefined;
  });

  it("sends one signed example event to that endpoint alone and answers with the attempt", async () => {
    server = await startTestServer();
    const target = await startReceiver(() => ({ status: 202, body: "thanks, got it" }));
    const other = await startReceiver();
    closers.push(target.close, other.close);
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: target.url,
      enabled_events: ["invoice.*"],
      headers: { "X-Team": "billing" },
    });
    await server.api("POST", "/v1/webhook_endpoints", { url: other.url, enabled_events: ["*"] });
    const secret = created.body.secret as string;

    const answer = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      object: "webhook_endpoint_test",
      endpoint: created.body.id,
      succeeded: true,
      event: { object: "event", type: "payment_intent.succeeded" },
      attempt: {
        object: "webhook_attempt",
        status_code: 202,
        response_body: "thanks, got it",
        error: null,
      },
    });
    expect(answer.body.attempt.duration_ms).toBeGreaterThanOrEqual(0);
    expect(answer.body.attempt.request_headers["X-Team"]).toBe("********");

    // Sent in the request itself, to that endpoint only, and verifiable by both schemes.
    expect(target.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
    const request = target.received[0]!;
    expect(request.headers["x-team"]).toBe("billing");
    const viaStripe = stripe.webhooks.constructEvent(
      request.body,
      request.headers["stripe-signature"] as string,
      secret,
    );
    expect(viaStripe.type).toBe("payment_intent.succeeded");
    const viaStandard = new Webhook(secret).verify(
      request.body,
      request.headers as Record<string, string>,
    ) as { id: string };
    expect(viaStandard.id).toBe(answer.body.event.id);
    expect(JSON.parse(request.body)).toEqual(answer.body.event);

    // A chosen type; nothing was stored.
    const dispute = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`, {
      type: "charge.dispute.created",
    });
    expect(dispute.body.event.type).toBe("charge.dispute.created");
    expect(JSON.parse(target.received[1]!.body).type).toBe("charge.dispute.created");
    expect((await server.api("GET", "/v1/events")).body.data).toEqual([]);
    expect((await server.api("GET", "/v1/deliveries")).body.data).toEqual([]);
  });

  it("answers a failed attempt: an error status, a timeout within the delivery timeout", async () => {
    server = await startTestServer({ HOOKLINE_DELIVERY_TIMEOUT: "300ms" });
    const failing = await startReceiver(() => ({ status: 500, body: "boom" }));
    const hanging = await startReceiver(() => "hang");
    closers.push(failing.close, hanging.close);
    const make = async (url: string) =>
      (await server!.api("POST", "/v1/webhook_endpoints", { url, enabled_events: ["*"] })).body.id;

    const failed = await server.api(
      "POST",
      `/v1/webhook_endpoints/${await make(failing.url)}/test`,
    );
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      succeeded: false,
      attempt: { status_code: 500, response_body: "boom", error: { kind: "http_status" } },
    });

    const started = Date.now();
    const slow = await server.api("POST", `/v1/webhook_endpoints/${await make(hanging.url)}/test`);
    expect(slow.body).toMatchObject({ succeeded: false, attempt: { error: { kind: "timeout" } } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("keeps the address guard: a loopback target is refused when loopback is not allowed", async () => {
    server = await startTestServer({}, { allowLoopback: false });
    const receiver = await startReceiver();
    closers.push(receiver.close);
    // The API takes a loopback URL (addresses are checked when sent, after resolution).
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    const answer = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`);
    expect(answer.body).toMatchObject({
      succeeded: false,
      attempt: { status_code: null, error: { kind: "address_blocked" } },
    });
    expect(receiver.received).toHaveLength(0);
  });

  it("refuses an unknown type or endpoint", async () => {
    server = await startTestServer();
    const created = await server.api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
    });
    const typo = await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`, {
      type: "payment_intent.succeded",
    });
    expectError(typo, invalid("type"));
    expect(typo.body.error.message).toContain("payment_intent.succeeded");
    expectError(await server.api("POST", "/v1/webhook_endpoints/we_missing/test", {}), noSuch());
    expectError(
      await server.api("POST", `/v1/webhook_endpoints/${created.body.id}/test`, { kind: "x" }),
      { status: 400, code: "parameter_unknown", param: "kind" },
    );
  });
});
