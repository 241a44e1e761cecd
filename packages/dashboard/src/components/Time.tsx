/** A unix time in seconds, in the reader's locale, machine-readable too. */
export function Time({ at }: { at: number | null | undefined }) {
  if (at === null || at === undefined) return <span className="muted">—</span>;
  const date = new Date(at * 1000);
  return <time dateTime={date.toISOString()}>{date.toLocaleString()}</time>;
}
