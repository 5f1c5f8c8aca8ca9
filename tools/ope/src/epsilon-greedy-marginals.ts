import type { Prng } from '@rec/simulator';

/**
 * Per-position epsilon-greedy slates (docs/contract.md, rec.actions.v1), as the actor draws them: each position takes
 * the best-ranked remaining candidate with probability 1 - epsilon, or a uniformly random remaining one
 * with probability epsilon. Their exact marginal propensities come from the shared
 * epsilonGreedyMarginals, the same code the actor logs them with.
 */

/** Draws a per-position epsilon-greedy slate: returns ranks (indices into the greedy order). */
export function sampleEpsilonGreedySlate(prng: Prng, candidates: number, slateSize: number, epsilon: number): { ranks: number[]; explored: boolean[] } {
  const remaining = Array.from({ length: candidates }, (_, rank) => rank);
  const ranks: number[] = [];
  const explored: boolean[] = [];
  for (let position = 0; position < Math.min(slateSize, candidates); position += 1) {
    const explore = prng.bernoulli(epsilon);
    // `remaining` stays sorted by rank, so index 0 is the greedy pick.
    const index = explore ? prng.int(remaining.length) : 0;
    ranks.push(remaining[index]);
    explored.push(explore);
    remaining.splice(index, 1);
  }
  return { ranks, explored };
}
