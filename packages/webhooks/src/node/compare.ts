/**
 * Compares two strings of equal length in time that depends only on the length: every
 * character is visited and differences are OR-ed together, with no early exit. Comparing the
 * digest's text with the header's text skips decoding the header into bytes, which cost as much
 * as the comparison itself on a 2 KB event. Callers check lengths (a public fact) first.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
