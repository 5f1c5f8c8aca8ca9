/**
 * Exact marginal propensities of a per-position epsilon-greedy slate (docs/contract.md, rec.actions.v1): at each
 * position, with probability 1 - epsilon the best-ranked remaining candidate, with probability epsilon a
 * uniformly random remaining one (which may be the best). The marginal P(the item of greedy rank r is
 * at position k | request) is what the contract's `propensity` names and what per-slot IPS needs.
 *
 * A polynomial dynamic programme. After t positions the taken items are a prefix of the greedy order
 * (ranks 0..m-1, so rank m is the best remaining) plus e = t - m "extras" taken by exploration beyond
 * rank m. Exploration is uniform, so given (m, e) the extras are a uniformly random e-subset of the
 * U = N - m - 1 ranks after m. Taking rank m then extends the prefix over the L extras that directly
 * follow it: P(L >= l) = prod_{j<l} (e - j) / (U - j). O(K^3) per (N, K, epsilon), K = slate size.
 */
export interface SlateMarginals {
  /** Candidates the slate is drawn from. */
  readonly candidates: number;
  /** Positions filled: min(slateSize, candidates). */
  readonly positions: number;
  /** P(item of greedy rank `rank` (0-based) is at `position`); every rank >= positions shares one value. */
  of(rank: number, position: number): number;
}

export function epsilonGreedyMarginals(candidates: number, slateSize: number, epsilon: number): SlateMarginals {
  const n = candidates;
  const positions = Math.min(slateSize, n);
  // top[k][r] for r < positions; deep[k] for any one rank >= positions.
  const top = Array.from({ length: positions }, () => new Float64Array(positions));
  const deep = new Float64Array(positions);
  // state[m] = P(prefix m, extras t - m) before position t.
  let state = new Float64Array(positions + 1);
  state[0] = 1;
  for (let t = 0; t < positions; t += 1) {
    const remaining = n - t;
    const uniform = epsilon / remaining;
    const next = new Float64Array(positions + 1);
    for (let m = 0; m <= t; m += 1) {
      const p = state[m];
      if (p === 0) continue;
      const extras = t - m;
      const after = n - m - 1;
      // Where each rank stands: taken (< m), the best remaining (= m), or still there unless an extra.
      const stillThere = after > 0 ? (after - extras) / after : 0;
      top[t][m] += p * (1 - epsilon + uniform);
      for (let rank = m + 1; rank < positions; rank += 1) top[t][rank] += p * uniform * stillThere;
      deep[t] += p * uniform * stillThere;
      // Transition 1: rank m is taken (greedy, or exploration landing on it); the prefix absorbs L extras.
      const takeBest = 1 - epsilon + uniform;
      let atLeast = 1;
      for (let l = 0; l <= extras; l += 1) {
        const atLeastNext = l < extras ? (atLeast * (extras - l)) / (after - l) : 0;
        const prefix = m + 1 + l;
        if (prefix <= positions) next[prefix] += p * takeBest * (atLeast - atLeastNext);
        atLeast = atLeastNext;
      }
      // Transition 2: exploration takes another remaining item: one more extra, same prefix.
      if (remaining > 1) next[m] += p * uniform * (remaining - 1);
    }
    state = next;
  }
  return {
    candidates: n,
    positions,
    of: (rank, position) => (rank < positions ? top[position][rank] : deep[position]),
  };
}
