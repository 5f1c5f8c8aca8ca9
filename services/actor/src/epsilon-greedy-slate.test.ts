import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom as seeded } from '@rec/shared';
import { epsilonGreedySlate, topIndices } from './epsilon-greedy-slate';

/** A scripted random source: returns the given numbers in order. */
function scripted(...values: number[]): () => number {
  return () => {
    const value = values.shift();
    if (value === undefined) throw new Error('script ran out of random numbers');
    return value;
  };
}

describe('epsilon-greedy slate', () => {
  it('computes each position propensity by hand', () => {
    // Scores: candidate 1 is best, then 2, then 0. epsilon = 0.2.
    // Position 0: draw 0.5 >= 0.2, greedy -> candidate 1, propensity 0.8 + 0.2/3.
    // Position 1: draw 0.1 < 0.2, explore; draw 0.0 -> candidate 0 (the best remaining is 2), propensity 0.2/2.
    const picks = epsilonGreedySlate([0.1, 0.9, 0.5], 2, 0.2, scripted(0.5, 0.1, 0.0));
    assert.equal(picks.length, 2);
    assert.deepEqual([picks[0].candidate, picks[0].explored], [1, false]);
    assert.ok(Math.abs(picks[0].propensity - (0.8 + 0.2 / 3)) < 1e-12);
    assert.deepEqual([picks[1].candidate, picks[1].explored], [0, true]);
    assert.ok(Math.abs(picks[1].propensity - 0.1) < 1e-12);
  });

  it('counts an explored pick of the best item with both terms', () => {
    // Position 0: explore (0.1 < 0.5) and the uniform draw lands on the best (0.4 * 2 -> candidate 0).
    const [pick] = epsilonGreedySlate([2, 1], 1, 0.5, scripted(0.1, 0.4));
    assert.equal(pick.candidate, 0);
    assert.equal(pick.explored, true);
    assert.equal(pick.propensity, 0.5 + 0.5 / 2);
  });

  it('matches observed slate frequencies with the product of the logged propensities', () => {
    const scores = [0.3, 0.8, 0.1, 0.6];
    const epsilon = 0.3;
    const random = seeded(42);
    const draws = 40_000;
    const counts = new Map<string, number>();
    const logged = new Map<string, number>();
    for (let draw = 0; draw < draws; draw += 1) {
      const picks = epsilonGreedySlate(scores, 2, epsilon, random);
      const slate = picks.map((pick) => pick.candidate).join(',');
      counts.set(slate, (counts.get(slate) ?? 0) + 1);
      logged.set(slate, picks.reduce((product, pick) => product * pick.propensity, 1));
    }
    for (const [slate, count] of counts) {
      const expected = logged.get(slate)!;
      const observed = count / draws;
      const tolerance = 4 * Math.sqrt((expected * (1 - expected)) / draws) + 1e-4;
      assert.ok(Math.abs(observed - expected) < tolerance, `slate ${slate}: observed ${observed}, logged ${expected}`);
    }
    // 4 * 3 ordered slates of 2 are possible under exploration, and all are seen.
    assert.equal(counts.size, 12);
  });

  it('never exceeds the candidates and never repeats one', () => {
    const picks = epsilonGreedySlate([1, 2, 3], 10, 1, seeded(1));
    assert.equal(picks.length, 3);
    assert.equal(new Set(picks.map((pick) => pick.candidate)).size, 3);
    assert.ok(Math.abs(picks[2].propensity - 1) < 1e-12, 'the last remaining candidate is certain');
  });

  it('ranks the top k, ties by lower index', () => {
    assert.deepEqual(topIndices([5, 1, 5, 9, 0], 3), [3, 0, 2]);
    assert.deepEqual(topIndices([1, 2], 5), [1, 0]);
  });
});

describe('epsilon-greedy slate with excluded candidates', () => {
  it('never shows an excluded candidate and counts only the others as remaining', () => {
    // Candidate 1 (the best) is excluded. Greedy picks 2 among 3 showable; then exploration over {0, 3}
    // lands on 0 (draw 0.1 * 4 -> 0), which is not the best remaining (3): propensity eps / 2.
    const picks = epsilonGreedySlate([0.1, 0.9, 0.5, 0.2], 2, 0.2, scripted(0.9, 0.1, 0.1), [1]);
    assert.deepEqual(picks.map((pick) => pick.candidate), [2, 0]);
    assert.ok(Math.abs(picks[0].propensity - (0.8 + 0.2 / 3)) < 1e-12);
    assert.ok(Math.abs(picks[1].propensity - 0.2 / 2) < 1e-12);
  });
});
