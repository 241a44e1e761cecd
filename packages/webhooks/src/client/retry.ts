/** Statuses worth another try: rate limited, or the server (or a proxy before it) failing. */
export const isRetryableStatus = (status: number) =>
  status === 429 || status === 502 || status === 503 || status === 504 || status === 500;

/** Longest wait a `Retry-After` may ask for before the client gives up instead of waiting. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * How long to wait before retry number `retry` (1 for the first): the server's `Retry-After`
 * (seconds or an HTTP date) when it sent one, else exponential backoff from 0.5 s, capped at
 * 8 s, with "full jitter" so that clients failing together do not retry together. Returns
 * undefined when `Retry-After` asks for longer than {@link MAX_RETRY_AFTER_MS}: better to fail
 * now than to hang a caller for minutes.
 */
export function retryDelayMs(
  retry: number,
  retryAfter: string | null,
  options: { random?: () => number; now?: number } = {},
): number | undefined {
  const random = options.random ?? Math.random;
  if (retryAfter !== null && retryAfter.trim() !== "") {
    const text = retryAfter.trim();
    const ms = /^\d+$/.test(text)
      ? Number(text) * 1000
      : Date.parse(text) - (options.now ?? Date.now());
    if (Number.isFinite(ms)) return ms > MAX_RETRY_AFTER_MS ? undefined : Math.max(0, ms);
  }
  const ceiling = Math.min(8000, 500 * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
