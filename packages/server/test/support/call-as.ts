// biome-ignore lint/suspicious/noExplicitAny: any JSON the API answers; the assertions check it
export type Call = { status: number; body: any };

/** Calls the API at `url` with one key (a tenant key, a portal token): JSON in, JSON out. */
export const callAs =
  (url: string, key: string, headers: Record<string, string> = {}) =>
  async (method: string, path: string, body?: unknown): Promise<Call> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  };
