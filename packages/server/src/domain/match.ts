// An endpoint subscribes with a list of patterns: "*" (everything), an exact type
// ("payment_intent.succeeded"), or a prefix ending in ".*" ("invoice.*" matches "invoice.paid"
// and "invoice.payment_failed", not "invoices.x"). Operational events (`hookline.*`) reach only
// endpoints that name them, never "*", so an operator opts in.

const TYPE = /^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/;
const PATTERN = /^(\*|[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*(\.\*)?)$/;

/** True when `type` is a well-formed event type: dot-separated words of [a-zA-Z0-9_-]. */
export function isEventType(type: string): boolean {
  return type.length <= 200 && TYPE.test(type);
}

/** True when `pattern` is "*", an event type, or an event type prefix followed by ".*". */
export function isEventPattern(pattern: string): boolean {
  return pattern.length <= 200 && PATTERN.test(pattern);
}

export function matchesEventType(patterns: readonly string[], type: string): boolean {
  const operational = type.startsWith("hookline.");
  for (const pattern of patterns) {
    if (pattern === "*") {
      if (!operational) return true;
    } else if (pattern.endsWith(".*")) {
      if (type.startsWith(pattern.slice(0, -1))) return true;
    } else if (pattern === type) {
      return true;
    }
  }
  return false;
}
