import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epsilonGreedyMarginals } from './epsilon-greedy-marginals';

/** Exact marginals by walking every possible slate (exponential; fine for tiny N). ranks 0..n-1, 0 is best. */
function bruteForce(n: number, k: number, epsilon: number): number[][] {
  const marginals = Array.from({ length: Math.min(k, n) }, () => new Array<number>(n).fill(0));
  const walk = (remaining: number[], position: number, probability: number): void => {
    if (position === Math.min(k, n)) return;
    const best = Math.min(...remaining);
    for (const rank of remaining) {
      const p = (rank === best ? 1 - epsilon : 0) + epsilon / remaining.length;
      if (p === 0) continue;
      marginals[position][rank] += probability * p;
      walk(remaining.filter((other) => other !== rank), position + 1, probability * p);
    }
  };
  walk(Array.from({ length: n }, (_, rank) => rank), 0, 1);
  return marginals;
}

describe('epsilon-greedy marginal propensities', () => {
  it('match the hand-worked case: 3 candidates, 2 positions, epsilon 0.2', () => {
    const marginals = epsilonGreedyMarginals(3, 2, 0.2);
    // Position 0: the best with 0.8 + 0.2/3; the third-ranked with 0.2/3.
    assert.ok(Math.abs(marginals.of(0, 0) - (0.8 + 0.2 / 3)) < 1e-12);
    assert.ok(Math.abs(marginals.of(2, 0) - 0.2 / 3) < 1e-12);
    // Position 1, third-ranked: after the best (0.8 + 0.2/3) it is explored with 0.2/2; after the second
    // (0.2/3) it is explored with 0.2/2 too: (0.8667 + 0.0667) * 0.1 = 0.09333.
    assert.ok(Math.abs(marginals.of(2, 1) - (0.8 + 0.2 / 3 + 0.2 / 3) * 0.1) < 1e-12);
  });

  it('agree with exhaustive enumeration for small catalogs', () => {
    for (const n of [1, 2, 3, 5, 6]) {
      for (const k of [1, 2, 4, 6]) {
        for (const epsilon of [0, 0.1, 0.5, 1]) {
          const exact = bruteForce(n, k, epsilon);
          const marginals = epsilonGreedyMarginals(n, k, epsilon);
          exact.forEach((row, position) =>
            row.forEach((expected, rank) => {
              const got = marginals.of(rank, position);
              assert.ok(Math.abs(got - expected) < 1e-12, `n=${n} k=${k} eps=${epsilon} rank=${rank} pos=${position}: ${got} vs ${expected}`);
            }),
          );
        }
      }
    }
  });

  it('sum to one over items at each position, and over positions to at most one per item', () => {
    const n = 1_000;
    const marginals = epsilonGreedyMarginals(n, 10, 0.3);
    for (let position = 0; position < 10; position += 1) {
      let total = 0;
      for (let rank = 0; rank < 10; rank += 1) total += marginals.of(rank, position);
      total += (n - 10) * marginals.of(10, position);
      assert.ok(Math.abs(total - 1) < 1e-9, `position ${position} sums to ${total}`);
    }
  });
});
