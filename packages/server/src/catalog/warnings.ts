import { catalogTypes, findEventType } from "./catalog.ts";
import { closest } from "./closest.ts";

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
    const near = closest(pattern, catalogTypes());
    warnings.push(
      `enabled_events[${i}]: '${pattern}' is not in the event catalog (GET /v1/event_types)${near ? `; did you mean '${near}'?` : "."}`,
    );
  });
  return warnings;
}
