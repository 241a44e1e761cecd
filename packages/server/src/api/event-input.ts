import { checkEventObject } from "../catalog/validate.ts";
import { isEventType } from "../domain/match.ts";
import { type ApiError, invalidParam } from "./errors.ts";

/**
 * What the schema cannot say of an event sent to the API: a well-formed type and, with strict
 * event types, a type of the catalog whose schema `data.object` fits. Params are the event's own
 * (`type`, `data[object][amount]`); a batch prefixes its item's position.
 */
export function checkEventInput(
  type: string,
  object: unknown,
  options: { strictEventTypes: boolean },
): ApiError | undefined {
  if (!isEventType(type)) {
    return invalidParam(
      "type",
      `Invalid type '${type.slice(0, 200)}': use dot-separated words of letters, digits, _ and -, such as "invoice.paid".`,
    );
  }
  if (options.strictEventTypes) {
    const mismatch = checkEventObject(type, object);
    if (mismatch !== undefined) return invalidParam(mismatch.param, mismatch.message);
  }
  return undefined;
}
