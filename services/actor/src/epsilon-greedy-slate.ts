import { epsilonGreedyMarginals, topIndices, type SlateMarginals } from '@rec/shared';

/** One filled slate position: which candidate, with what probability, and whether exploration put it there. */
export interface SlatePick {
  /** Index into the candidate list. */
  candidate: number;
  position: number;
  /** P(this candidate at this position | the request): the exact marginal under the policy. */
  propensity: number;
  explored: boolean;
}

/** A deterministic reordering of the greedy order over a pool of the best-scoring candidates. */
export interface DiverseGreedyOrder {
  /** Candidates (best scores first) the reordering chooses among. */
  poolSize: number;
  /** The pool reordered; its first `size` entries are the greedy slate. */
  reorder: (pool: number[], size: number) => number[];
}

/**
 * An epsilon-greedy slate, position by position (docs/contract.md, rec.actions.v1): with probability 1 - epsilon the
 * highest-scoring remaining candidate (ties: the lower index), with probability epsilon a uniformly random
 * remaining one. Each pick's propensity is the exact marginal P(this candidate at this position | the
 * request), from its greedy rank (see epsilonGreedyMarginals); the per-step probability
 * (1 - epsilon) * [best remaining] + epsilon / |remaining| is not what the contract logs.
 * `scores[i]` scores candidate i; `excluded` lists candidates that may not be shown (e.g. the item being
 * viewed); `random()` returns uniform numbers in [0, 1). `diversity`, when given, reorders the greedy
 * order of a pool of the best-scoring candidates (e.g. by maximal marginal relevance); the reordering
 * must be deterministic, so the greedy order stays fixed and the marginals exact.
 */
export function epsilonGreedySlate(
  scores: ArrayLike<number>,
  slateSize: number,
  epsilon: number,
  random: () => number,
  excluded: readonly number[] = [],
  diversity?: DiverseGreedyOrder,
): SlatePick[] {
  // The few candidates already placed or excluded: a short list beats a catalog-sized mask per request.
  const taken: number[] = [...excluded];
  const available = scores.length - excluded.length;
  const size = Math.min(slateSize, available);
  const pool = topIndices(scores, Math.max(size, diversity?.poolSize ?? 0) + excluded.length).filter((candidate) => !excluded.includes(candidate));
  const ranked = diversity === undefined ? pool : diversity.reorder(pool, size);
  // Greedy ranks among the showable candidates; anything outside the top `size` shares one marginal.
  const greedyRank = new Map(ranked.slice(0, size).map((candidate, rank) => [candidate, rank]));
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
