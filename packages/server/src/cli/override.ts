import { UsageError } from "./failure.ts";

/** `--override [type:]path=value`: set one field of data.object, of every event or of one type. */
export interface Override {
  /** Only events of this type; every event when absent. */
  type: string | undefined;
  path: string[];
  value: unknown;
  text: string;
}

const UNSAFE = new Set(["__proto__", "prototype", "constructor"]);

/**
 * Parses `amount=5000`, `metadata.order_id=A-1`, `charge.failed:failure_code="expired_card"`.
 * The value is JSON when it parses as JSON (`5000`, `true`, `null`, `{"a":1}`), text otherwise.
 */
export function parseOverride(text: string): Override {
  const equals = text.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(
      `--override '${text}': expected path=value, such as amount=5000 or metadata.order_id=A-1`,
    );
  }
  const target = text.slice(0, equals);
  const colon = target.lastIndexOf(":");
  const type = colon === -1 ? undefined : target.slice(0, colon);
  const path = target.slice(colon + 1).split(".");
  if (type === "" || path.some((part) => part === "" || UNSAFE.has(part))) {
    throw new UsageError(
      `--override '${text}': '${target}' is not a dot path such as metadata.order_id (optionally after an event type and a colon)`,
    );
  }
  const raw = text.slice(equals + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself, so that `currency=eur` needs no quotes.
  }
  return { type, path, value, text };
}

/** Sets the override's field in `object` (a copy the caller owns), creating objects on the way. */
export function applyOverride(object: Record<string, unknown>, override: Override): void {
  let node: unknown = object;
  const { path } = override;
  for (let i = 0; i < path.length - 1; i++) {
    const container = node as Record<string, unknown>;
    if (container[path[i]!] === undefined || container[path[i]!] === null) container[path[i]!] = {};
    node = container[path[i]!];
    if (typeof node !== "object") {
      throw new UsageError(
        `--override '${override.text}': ${path.slice(0, i + 1).join(".")} is a ${typeof node}, not an object`,
      );
    }
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && !/^\d+$/.test(last)) {
    throw new UsageError(
      `--override '${override.text}': ${path.slice(0, -1).join(".")} is a list: index it with a number`,
    );
  }
  (node as Record<string, unknown>)[last] = override.value;
}
