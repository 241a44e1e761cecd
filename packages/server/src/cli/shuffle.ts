/** mulberry32: a tiny seeded generator, so that `--reorder --seed N` replays the same order. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A Fisher–Yates shuffle that never returns the original order when another exists: `--reorder`
 * promises a receiver out-of-order events, and the identity permutation would break that
 * promise silently (1 run in 6 for a three-event flow).
 */
export function shuffle<T>(
  items: readonly T[],
  random: () => number,
  same = (a: T, b: T) => a === b,
): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  if (out.every((item, i) => same(item, items[i]!)) && out.length > 1) out.push(out.shift()!);
  return out;
}
