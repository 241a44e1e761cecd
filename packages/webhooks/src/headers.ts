/** Request headers as the SDK accepts them: a fetch `Headers`, or Node's `req.headers` shape. */
export type HeaderInput =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/**
 * Reads one header case-insensitively (`name` is given in lowercase). Several values, as an array
 * or a repeated header, come back joined by ", " exactly as fetch's `Headers` joins them; the
 * scheme parsers accept that form.
 */
export function readHeader(headers: HeaderInput, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  if (typeof (headers as Headers).get === "function") {
    const value = (headers as Headers).get(name);
    return typeof value === "string" ? value : undefined;
  }
  const record = headers as Record<string, unknown>;
  // Node lowercases incoming header names, so the direct lookup almost always hits.
  let value = record[name];
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      // The length test first: it rules out almost every key without allocating a string.
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) {
    return value.join(", ");
  }
  return undefined;
}
