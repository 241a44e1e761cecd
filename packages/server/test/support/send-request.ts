import type { SendRequest } from "../../src/dispatch/outcome.ts";

/** One attempt of a small signed event to `url`, for the sender's own tests. */
export function sendRequest(url: string, extra: Partial<SendRequest> = {}): SendRequest {
  return {
    url,
    body: Buffer.from('{"id":"evt_1"}'),
    eventId: "evt_1",
    secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    scheme: "both",
    ...extra,
  };
}
