import type { IncomingHttpHeaders } from "node:http";
import { invalidParam } from "./errors.ts";

/** The `Idempotency-Key` header: 1 to 255 printable characters, or absent. */
export function idempotencyKey(headers: IncomingHttpHeaders): string | undefined {
  const value = headers["idempotency-key"];
  if (value === undefined) return undefined;
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > 255 ||
    !/^[\x20-\x7e]+$/.test(value)
  ) {
    throw invalidParam(
      "Idempotency-Key",
      "Invalid Idempotency-Key header: use 1 to 255 printable ASCII characters, e.g. a UUID.",
    );
  }
  return value;
}
