import { type HeaderInput, readHeader } from "../headers.ts";

/**
 * Where a delivery stands in its ordering key's sequence, from Hookline's
 * `Hookline-Sequence: <key>:<n>` header (sent to endpoints with `ordering: "per_key"`): the
 * key, percent-encoded on the wire, and n from 1 in the order the sender created the events.
 */
export interface DeliverySequence {
  key: string;
  n: number;
}

/**
 * Reads `Hookline-Sequence`; `undefined` when absent or malformed. Pure.
 *
 * @example
 * ```ts
 * readSequence({ "hookline-sequence": "cus_123:7" }); // { key: "cus_123", n: 7 }
 * ```
 */
export function readSequence(headers: HeaderInput): DeliverySequence | undefined {
  const value = readHeader(headers, "hookline-sequence");
  if (value === undefined) return undefined;
  const colon = value.lastIndexOf(":");
  const digits = value.slice(colon + 1);
  if (colon <= 0 || !/^[1-9][0-9]{0,15}$/.test(digits)) return undefined;
  try {
    return { key: decodeURIComponent(value.slice(0, colon)), n: Number(digits) };
  } catch {
    return undefined;
  }
}
