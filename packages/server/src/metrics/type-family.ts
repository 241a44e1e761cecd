/** Families beyond this many get the label `other`. */
export const MAX_TYPE_FAMILIES = 50;

/**
 * The `family` label of an event type: the part before the first dot (`invoice.paid` →
 * `invoice`). Types are chosen by API callers, so the label must stay bounded: the first
 * `limit` families this process sees get their own series, later ones share `other`. A fixed
 * catalog would be exact but would drop every application's own types into `other`.
 */
export function typeFamilies(limit = MAX_TYPE_FAMILIES): (type: string) => string {
  const seen = new Set<string>();
  return (type) => {
    const dot = type.indexOf(".");
    const family = dot === -1 ? type : type.slice(0, dot);
    if (seen.has(family)) return family;
    if (seen.size >= limit) return "other";
    seen.add(family);
    return family;
  };
}
