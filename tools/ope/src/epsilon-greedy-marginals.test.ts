import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prng } from '@rec/simulator';
import { epsilonGreedyMarginals } from '@rec/shared';
import { sampleEpsilonGreedySlate } from './epsilon-greedy-marginals';

test('every position is a probability distribution over the candidates', () => {
  for (const [n, k, epsilon] of [[100, 10, 0.1], [12, 10, 0.5], [5, 10, 0.3], [30, 1, 0.2]] as const) {
    const marginals = epsilonGreedyMarginals(n, k, epsilon);
    for (let position = 0; position < marginals.positions; position += 1) {
      let total = 0;
      for (let rank = 0; rank < n; rank += 1) total += marginals.of(rank, position);
      assert.ok(Math.abs(total - 1) < 1e-12, `n=${n} k=${k} position ${position}: ${total}`);
    }
  }
});

test('closed forms: epsilon 0 is the greedy slate; epsilon 1 is uniform; position 0 is (1-e) + e/N', () => {
  const greedy = epsilonGreedyMarginals(50, 5, 0);
  for (let position = 0; position < 5; position += 1) assert.equal(greedy.of(position, position), 1);
  const uniform = epsilonGreedyMarginals(50, 5, 1);
  for (let position = 0; position < 5; position += 1) {
    for (const rank of [0, 3, 20]) assert.ok(Math.abs(uniform.of(rank, position) - 1 / 50) < 1e-12);
  }
  const mixed = epsilonGreedyMarginals(50, 5, 0.2);
  assert.ok(Math.abs(mixed.of(0, 0) - (0.8 + 0.2 / 50)) < 1e-12);
  assert.ok(Math.abs(mixed.of(7, 0) - 0.2 / 50) < 1e-12);
  // Position 1 for the top item: only if position 0 explored and drew someone else, then never (greedy
  // would take it at 0)... it is at 1 when position 0 explored another item (0.2 * 49/50) and then
  // position 1 takes it greedily (0.8) or by exploration (0.2 / 49).
  assert.ok(Math.abs(mixed.of(0, 1) - 0.2 * (49 / 50) * (0.8 + 0.2 / 49)) < 1e-12);
});

test('exact marginals match the sampler (Monte Carlo, 200k slates)', () => {
  const [n, k, epsilon] = [20, 4, 0.3];
  const marginals = epsilonGreedyMarginals(n, k, epsilon);
  const counts = Array.from({ length: k }, () => new Array<number>(n).fill(0));
  const prng = new Prng(99);
  const trials = 200_000;
  for (let trial = 0; trial < trials; trial += 1) {
    sampleEpsilonGreedySlate(prng, n, k, epsilon).ranks.forEach((rank, position) => {
      counts[position][rank] += 1;
    });
  }
  for (let position = 0; position < k; position += 1) {
    for (let rank = 0; rank < n; rank += 1) {
      const exact = marginals.of(rank, position);
      const observed = counts[position][rank] / trials;
      const se = Math.sqrt((exact * (1 - exact)) / trials);
      assert.ok(Math.abs(observed - exact) < 5 * se + 1e-9, `position ${position} rank ${rank}: ${observed} vs ${exact}`);
    }
  }
});
