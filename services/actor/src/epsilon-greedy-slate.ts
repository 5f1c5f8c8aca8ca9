import { epsilonGreedyMarginals, type SlateMarginals } from '@rec/shared';

/** One filled slate position: which candidate, with what probability, and whether exploration put it there. */
export interface SlatePick {
  /** Index into the candidate list. */
  candidate: number;
  position: number;
  /** P(this candidate at this position | the request): the exact marginal under the policy. */
  propensity: number;
  explored: boolean;
}

/**
 * An epsilon-greedy slate, position by position (docs/contract.md, rec.actions.v1): with probability 1 - epsilon the
 * highest-scoring remaining candidate (ties: the lower index), with probability epsilon a uniformly random
 * remaining one. Each pick's propensity is the exact marginal P(this candidate at this position | the
 * request), from its greedy rank (see epsilonGreedyMarginals); the per-step probability
 * (1 - epsilon) * [best remaining] + epsilon / |remaining| is not what the contract logs.
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
  // The few candidates already placed or excluded: a short list beats a catalog-sized mask per request.
  const taken: number[] = [...excluded];
  const available = scores.length - excluded.length;
  const size = Math.min(slateSize, available);
  const ranked = topIndices(scores, size + excluded.length);
  // Greedy ranks among the showable candidates; anything outside the top `size` shares one marginal.
  const greedyRank = new Map(ranked.filter((candidate) => !excluded.includes(candidate)).map((candidate, rank) => [candidate, rank]));
  const marginals = marginalsFor(available, size, epsilon);
  let bestPointer = 0;
  const picks: SlatePick[] = [];
  for (let position = 0; position < size; position += 1) {
    while (taken.includes(ranked[bestPointer])) bestPointer += 1;
    const best = ranked[bestPointer];
    const explored = random() < epsilon;
    let candidate = best;
    if (explored) {
      // Uniform over the remaining candidates: rejection sampling, cheap since few are taken.
      do candidate = Math.floor(random() * scores.length);
      while (taken.includes(candidate));
    }
    taken.push(candidate);
    picks.push({ candidate, position, propensity: marginals.of(greedyRank.get(candidate) ?? size, position), explored });
  }
  return picks;
}

/** The last marginals computed: every request of a steady epsilon and catalog shares them (the DP is O(K^3)). */
let lastMarginals: { epsilon: number; value: SlateMarginals } | null = null;

function marginalsFor(candidates: number, slateSize: number, epsilon: number): SlateMarginals {
  const cached = lastMarginals;
  if (cached !== null && cached.epsilon === epsilon && cached.value.candidates === candidates && cached.value.positions === Math.min(slateSize, candidates)) return cached.value;
  const value = epsilonGreedyMarginals(candidates, slateSize, epsilon);
  lastMarginals = { epsilon, value };
  return value;
}

/**
 * The indices of the `k` highest scores, best first (ties: lower index first). One pass with a small
 * sorted buffer: O(n) for the small k of a slate.
 */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  if (k <= 0) return [];
  const top = new Int32Array(k);
  let filled = 0;
  // The k-th best score so far, once k are held: most scores lose to it in one comparison.
  let threshold = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < scores.length; index += 1) {
    const score = scores[index];
    if (filled === k && !(score > threshold)) continue;
    let slot = filled === k ? k - 1 : filled;
    while (slot > 0 && score > scores[top[slot - 1]]) {
      top[slot] = top[slot - 1];
      slot -= 1;
    }
    top[slot] = index;
    if (filled < k) filled += 1;
    if (filled === k) threshold = scores[top[k - 1]];
  }
  return Array.from(top.subarray(0, filled));
}
