import type { Api } from "../api/client.ts";

/** Pages read at most per status before answering "at least": counting must stay quick. */
const MAX_PAGES = 20;

/**
 * How many of the endpoint's deliveries recovery would re-queue: `failed` and `skipped` ones
 * created at or after `since` (unix seconds). Lists are newest first, so reading stops at the
 * first older one.
 */
export async function countRecoverable(
  api: Api,
  endpoint: string,
  since: number,
): Promise<{ count: number; capped: boolean }> {
  let count = 0;
  let capped = false;
  for (const status of ["failed", "skipped"] as const) {
    let after: string | undefined;
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES) {
        capped = true;
        break;
      }
      const list = await api.deliveries.list({
        endpoint,
        status,
        limit: 100,
        ...(after ? { starting_after: after } : {}),
      });
      const inWindow = list.data.filter((d) => d.created >= since);
      count += inWindow.length;
      if (!list.has_more || inWindow.length < list.data.length) break;
      after = list.data.at(-1)?.id;
    }
  }
  return { count, capped };
}
