/** A page of a list, newest first. */
export interface List<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

/** Cursor pagination: `limit` (1–100, default 10), `starting_after` / `ending_before` an id. */
export interface ListParams {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}

/**
 * The first page when awaited; every item of every page when iterated with `for await`, fetching
 * the next page (`starting_after` the last id, or `ending_before` the first when the list was
 * asked with `ending_before`) only once the current one is used up.
 *
 * @example
 * ```ts
 * const page = await hookline.events.list({ limit: 100 }); // one page
 * for await (const event of hookline.events.list({ type: "invoice.*" })) {
 *   console.log(event.id); // every matching event, page after page
 * }
 * ```
 */
export type ListPromise<T> = Promise<List<T>> & AsyncIterable<T>;

export function listPromise<T extends { id: string }, P extends ListParams>(
  params: P,
  fetchPage: (params: P) => Promise<List<T>>,
): ListPromise<T> {
  const first = fetchPage(params);
  const backwards = params.ending_before !== undefined;
  return Object.assign(first, {
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      let page = await first;
      for (;;) {
        yield* page.data;
        if (!page.has_more || page.data.length === 0) return;
        const cursor = backwards ? page.data[0]!.id : page.data[page.data.length - 1]!.id;
        const { starting_after: _after, ending_before: _before, ...rest } = params;
        page = await fetchPage({
          ...rest,
          ...(backwards ? { ending_before: cursor } : { starting_after: cursor }),
        } as P);
      }
    },
  });
}
