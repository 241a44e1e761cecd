import { catalogTypes, findEventType } from "./catalog.ts";

/**
 * Warnings for the exact types an endpoint subscribes to that the catalog does not know: most
 * often a typo (`invoice.payed`) that would silently never match. Patterns (`*`, `invoice.*`)
 * and Hookline's own `hookline.*` events are not checked. Not an error: applications send
 * their own types too.
 */
export function subscriptionWarnings(patterns: readonly string[]): string[] {
  const warnings: string[] = [];
  patterns.forEach((pattern, i) => {
    if (pattern === "*" || pattern.endsWith(".*") || pattern.startsWith("hookline.")) return;
    if (findEventType(pattern) !== undefined) return;
    const near = closest(pattern);
    warnings.push(
      `enabled_events[${i}]: '${pattern}' is not in the event catalog (GET /v1/event_types)${near ? `; did you mean '${near}'?` : "."}`,
    );
  });
  return warnings;
}

/** The catalog type within 3 edits of `text`, if any. */
function closest(text: string): string | undefined {
  let best: { type: string; distance: number } | undefined;
  for (const type of catalogTypes()) {
    const distance = editDistance(text, type);
    if (distance <= 3 && (best === undefined || distance < best.distance))
      best = { type, distance };
  }
  return best?.type;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}
