/**
 * The wait before reconnect attempt `attempt` (0 for the first): doubling from `baseMs`, capped
 * at `capMs`, and "equal jitter" (a random point in the upper half): every node of a cluster
 * loses its connection at the same instant when the database restarts, and without jitter they
 * would all knock again at the same instants.
 */
export function reconnectDelay(
  attempt: number,
  random: () => number,
  options: { baseMs?: number; capMs?: number } = {},
): number {
  const base = options.baseMs ?? 100;
  const cap = options.capMs ?? 5000;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
