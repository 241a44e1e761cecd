import { type IdPrefix, isId } from "../ids.ts";
import { notFound } from "./errors.ts";

/**
 * Finds an object by id or answers 404. An id without the kind's prefix and shape is refused
 * here, at the boundary, without a trip to the store; the answer is the same 404 either way.
 */
export async function findOr404<T>(
  what: string,
  prefix: IdPrefix,
  id: string,
  find: (id: string) => Promise<T | undefined>,
): Promise<T> {
  const row = isId(id, prefix) ? await find(id) : undefined;
  if (row === undefined) throw notFound(what, id);
  return row;
}
