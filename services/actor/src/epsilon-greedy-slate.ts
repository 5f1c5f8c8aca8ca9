/** One filled slate position: which candidate, with what probability, and whether exploration put it there. */
export interface SlatePick {
  /** Index into the candidate list. */
  candidate: number;
  position: number;
  /** P(this candidate at this position | the candidates above it): exact under the policy. */
  propensity: number;
  explored: boolean;
}

/**
 * An epsilon-greedy slate, position by position (DESIGN.md section 3): with probability 1 - epsilon the
 * highest-scoring remaining candidate (ties: the lower index), with probability epsilon a uniformly random
 * remaining one. The propensity of the candidate placed at position k, given the candidates above it, is
 *     (1 - epsilon) * [it is the best remaining] + epsilon / |remaining|
 * which is exact; the slate's probability is the product over positions.
 * `scores[i]` scores candidate i; `excluded` lists candidates that may not be shown (e.g. the item being
 * viewed); `random()` returns uniform numbers in [0, 1).
 */
export function epsilonGreedySlate(
  scores: ArrayLike<number>,
  slateSize: number,
  epsilon: number,
  random: () => number,
  excluded: readonly number[] = [],
): SlatePick[] {
  const taken = new Uint8Array(scores.length);
  for (const candidate of excluded) taken[candidate] = 1;
  const available = scores.length - excluded.length;
  const size = Math.min(slateSize, available);
  const ranked = topIndices(scores, size + excluded.length);
  let bestPointer = 0;
  const picks: SlatePick[] = [];
  for (let position = 0; position < size; position += 1) {
    while (taken[ranked[bestPointer]] === 1) bestPointer += 1;
    const best = ranked[bestPointer];
    const remaining = available - position;
    const explored = random() < epsilon;
    let candidate = best;
    if (explored) {
      // Uniform over the remaining candidates: rejection sampling, cheap since few are taken.
      do candidate = Math.floor(random() * scores.length);
      while (taken[candidate] === 1);
    }
    taken[candidate] = 1;
    const propensity = (candidate === best ? 1 - epsilon : 0) + epsilon / remaining;
    picks.push({ candidate, position, propensity, explored });
  }
  return picks;
}

/**
 * The indices of the `k` highest scores, best first (ties: lower index first). One pass with a small
 * sorted buffer: O(n) for the small k of a slate.
 */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  const top: number[] = [];
  for (let index = 0; index < scores.length; index += 1) {
    const score = scores[index];
    if (top.length === k && !(score > scores[top[k - 1]])) continue;
    let slot = top.length === k ? k - 1 : top.length;
    while (slot > 0 && score > scores[top[slot - 1]]) slot -= 1;
    top.splice(slot, 0, index);
    if (top.length > k) top.pop();
  }
  return top;
}
