import { expect } from "vitest";

/** One bad request and the refusal it must get: a status and a Stripe-shaped error. */
export interface Refusal {
  name: string;
  method: string;
  path: string;
  /** JSON-encoded unless a string, which is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  param?: string;
  type?: string;
}

/** The answer is exactly `{error: {type, code, message, param?}}` with the expected status. */
export function expectError(
  response: { status: number; body: unknown },
  expected: Pick<Refusal, "status" | "code" | "param" | "type">,
) {
  expect(response.status).toBe(expected.status);
  expect(response.body).toStrictEqual({
    error: {
      type: expected.type ?? "invalid_request_error",
      code: expected.code,
      message: expect.stringMatching(/\S/),
      ...(expected.param === undefined ? {} : { param: expected.param }),
    },
  });
}

export const invalid = (param: string) => ({ status: 400, code: "parameter_invalid", param });
export const missing = (param: string) => ({ status: 400, code: "parameter_missing", param });
export const unknown = (param: string) => ({ status: 400, code: "parameter_unknown", param });
export const notJson = { status: 400, code: "body_invalid" };
export const tooLarge = { status: 413, code: "payload_too_large" };
export const noSuch = (param = "id") => ({ status: 404, code: "resource_missing", param });

/** Each `[value, param]`, given as a new endpoint's `field`, is refused naming `param`. */
export async function expectEndpointFieldRefused(
  api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>,
  field: string,
  cases: readonly (readonly [unknown, string])[],
) {
  for (const [value, param] of cases) {
    const answer = await api("POST", "/v1/webhook_endpoints", {
      url: "https://example.com/hooks",
      enabled_events: ["*"],
      [field]: value,
    });
    expectError(answer, invalid(param));
  }
}
