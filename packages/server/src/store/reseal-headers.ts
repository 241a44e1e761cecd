/**
 * An endpoint's custom headers with each value passed through `reseal` (secrets/seal-secrets.ts),
 * or undefined when no value changed. Both stores' reseal queries use it beside the secrets.
 */
export function resealHeaders(
  headers: Readonly<Record<string, string>> | null,
  reseal: (stored: string) => string | undefined,
): Record<string, string> | undefined {
  if (headers === null) return undefined;
  let changed = false;
  const next: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const resealed = reseal(value);
    if (resealed !== undefined) changed = true;
    next[name] = resealed ?? value;
  }
  return changed ? next : undefined;
}
