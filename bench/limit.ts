import { Agent, request } from "undici";
import { sign } from "../packages/webhooks/src/index.ts";

export interface LimitTarget {
  url: string;
  secret: string;
}

/** One request of the limit: event bytes to one endpoint, with that event's id. */
export interface LimitItem {
  target: LimitTarget;
  id: string;
  body: Buffer;
}

/**
 * The limit: what any webhook sender must do at least, with nothing of Hookline in between. It
 * signs each request (both header sets, as Hookline does by default) and POSTs it with undici
 * through an Agent configured like Hookline's sender (keep-alive, no pipelining, `connections`
 * sockets per origin), and reads the answer; no persistence, no queue, no retries.
 */
export function createLimit(options: { connectionsPerOrigin: number }) {
  const agent = new Agent({ connections: options.connectionsPerOrigin, pipelining: 1 });
  /** One attempt; resolves with the receiver's status code. */
  const attempt = async (item: LimitItem): Promise<number> => {
    const headers = {
      "content-type": "application/json",
      "user-agent": "Hookline/0.1 (+https://github.com/hookline)",
      ...sign(item.body, item.target.secret, { id: item.id }),
    };
    const response = await request(item.target.url, {
      method: "POST",
      headers,
      body: item.body,
      dispatcher: agent,
    });
    await response.body.text();
    return response.statusCode;
  };
  return {
    attempt,
    async send(item: LimitItem): Promise<void> {
      const status = await attempt(item);
      if (status !== 200) throw new Error(`the receiver answered ${status} to the limit`);
    },
    close: () => agent.close(),
  };
}

export type Limit = ReturnType<typeof createLimit>;
