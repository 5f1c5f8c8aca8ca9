/**
 * Maximal marginal relevance (Carbonell and Goldstein, 1998) over a pool of candidates ranked by score:
 * the greedy slate takes, one position at a time, the candidate with the highest
 *   score(i) - penalty * max over already-taken j of similarity(i, j)
 * so a near-duplicate of an item above it must beat the next-best different item by `penalty` to be shown
 * next to it. Returns the pool reordered: the first `size` as MMR chose them, the rest in score order.
 * The order depends only on the scores and similarities, never on chance, which keeps the logged
 * propensities exact: exploration then works on this fixed greedy order exactly as on a score order.
 */
export function maximalMarginalRelevance(
  pool: readonly number[],
  scores: ArrayLike<number>,
  size: number,
  penalty: number,
  similarity: (a: number, b: number) => number,
): number[] {
  if (penalty <= 0 || pool.length <= 1) return [...pool];
  const remaining = [...pool];
  const chosen: number[] = [];
  // The highest similarity of each remaining candidate to anything chosen so far.
  const redundancy = new Map<number, number>(remaining.map((candidate) => [candidate, 0]));
  while (chosen.length < size && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    remaining.forEach((candidate, index) => {
      const value = scores[candidate] - penalty * redundancy.get(candidate)!;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = index;
      }
    });
    const [picked] = remaining.splice(bestIndex, 1);
    chosen.push(picked);
    for (const candidate of remaining) redundancy.set(candidate, Math.max(redundancy.get(candidate)!, similarity(candidate, picked)));
  }
  return [...chosen, ...remaining];
}
