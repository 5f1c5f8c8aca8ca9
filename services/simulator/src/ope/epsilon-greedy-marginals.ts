import type { Prng } from '../random/prng';

/**
 * Per-position epsilon-greedy slates (DESIGN.md section 3): each position takes the best-ranked
 * remaining candidate with probability 1 - epsilon, or a uniformly random remaining one with
 * probability epsilon. This file samples such slates and computes their exact marginal propensities
 * P(item at position k | request), the quantity per-slot IPS needs.
 *
 * Exact marginals by dynamic programming: before position k, k items are gone. The greedy pick is the
 * best-ranked remaining item, always among the top K ranks (at most k < K of them are gone), so the
 * state is which of the top M = min(K, N) ranks are gone (a bitmask); by symmetry every item ranked
 * below M is equally likely to be gone. O(K * 2^M * M) per request: about 10^5 steps for K = 10.
 */
export interface EpsilonGreedyMarginals {
  /** top[k][j]: probability that the item ranked j (0-based, j < M) is at position k. */
  top: number[][];
  /** outside[k]: probability that one particular item ranked >= M is at position k. */
  outside: number[];
}

export function epsilonGreedyMarginals(candidates: number, slateSize: number, epsilon: number): EpsilonGreedyMarginals {
  const n = candidates;
  const k = Math.min(slateSize, n);
  const m = Math.min(slateSize, n);
  if (m > 20) throw new RangeError(`exact marginals need slateSize <= 20 (got ${m})`);
  const outsideCount = n - m;
  const top = Array.from({ length: k }, () => new Array<number>(m).fill(0));
  const outside = new Array<number>(k).fill(0);
  let states = new Float64Array(1 << m);
  states[0] = 1;
  for (let position = 0; position < k; position += 1) {
    const next = new Float64Array(1 << m);
    const remaining = n - position;
    const uniform = epsilon / remaining;
    for (let mask = 0; mask < states.length; mask += 1) {
      const p = states[mask];
      if (p === 0) continue;
      const goneTop = popcount(mask);
      const remainingOutside = outsideCount - (position - goneTop);
      // Greedy: the best-ranked remaining item (one always remains among the top M while position < K).
      let best = 0;
      while (mask & (1 << best)) best += 1;
      top[position][best] += p * (1 - epsilon);
      next[mask | (1 << best)] += p * (1 - epsilon);
      // Exploration: uniform over every remaining item.
      for (let rank = 0; rank < m; rank += 1) {
        if (mask & (1 << rank)) continue;
        top[position][rank] += p * uniform;
        next[mask | (1 << rank)] += p * uniform;
      }
      if (remainingOutside > 0) {
        // Any one outside item is still there with probability remainingOutside / outsideCount.
        outside[position] += (p * uniform * remainingOutside) / outsideCount;
        next[mask] += p * uniform * remainingOutside;
      }
    }
    states = next;
  }
  return { top, outside };
}

/** Marginal propensity of the item at `rank` (0-based in the greedy order) being at `position`. */
export function marginalOf(marginals: EpsilonGreedyMarginals, rank: number, position: number): number {
  const row = marginals.top[position];
  return rank < row.length ? row[rank] : marginals.outside[position];
}

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

function popcount(mask: number): number {
  let count = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) count += 1;
  return count;
}
