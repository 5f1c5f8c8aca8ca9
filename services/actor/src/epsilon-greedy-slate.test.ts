import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom as seeded } from '@rec/shared';
import { topIndices } from '@rec/shared';
import { epsilonGreedySlate } from './epsilon-greedy-slate';

/** A scripted random source: returns the given numbers in order. */
function scripted(...values: number[]): () => number {
  return () => {
    const value = values.shift();
    if (value === undefined) throw new Error('script ran out of random numbers');
    return value;
  };
}

describe('epsilon-greedy slate', () => {
  it('logs the marginal propensity of each position, worked by hand', () => {
    // Scores: candidate 1 is best, then 2, then 0. epsilon = 0.2.
    // Position 0: draw 0.5 >= 0.2, greedy -> candidate 1: P(best first) = 0.8 + 0.2/3.
    // Position 1: draw 0.1 < 0.2, explore; draw 0.0 -> candidate 0 (ranked third). Its marginal at
    // position 1: it is explored there after either of the other two went first, each time with 0.2/2:
    // (1 - 0.2/3) * 0.1 = 0.09333.
    const picks = epsilonGreedySlate([0.1, 0.9, 0.5], 2, 0.2, scripted(0.5, 0.1, 0.0));
    assert.equal(picks.length, 2);
    assert.deepEqual([picks[0].candidate, picks[0].explored], [1, false]);
    assert.ok(Math.abs(picks[0].propensity - (0.8 + 0.2 / 3)) < 1e-12);
    assert.deepEqual([picks[1].candidate, picks[1].explored], [0, true]);
    assert.ok(Math.abs(picks[1].propensity - (1 - 0.2 / 3) * 0.1) < 1e-12);
  });

  it('gives an explored pick of the best item the same marginal as a greedy one', () => {
    // Position 0: explore (0.1 < 0.5) and the uniform draw lands on the best (0.4 * 2 -> candidate 0).
    const [pick] = epsilonGreedySlate([2, 1], 1, 0.5, scripted(0.1, 0.4));
    assert.equal(pick.candidate, 0);
    assert.equal(pick.explored, true);
    assert.equal(pick.propensity, 0.5 + 0.5 / 2);
  });

  it('matches observed item-at-position frequencies with the logged propensities', () => {
    const scores = [0.3, 0.8, 0.1, 0.6, 0.2];
    const epsilon = 0.3;
    const random = seeded(42);
    const draws = 40_000;
    const counts = new Map<string, number>();
    const logged = new Map<string, number>();
    for (let draw = 0; draw < draws; draw += 1) {
      for (const pick of epsilonGreedySlate(scores, 3, epsilon, random)) {
        const key = `${pick.candidate}@${pick.position}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        logged.set(key, pick.propensity);
      }
    }
    for (const [key, count] of counts) {
      const expected = logged.get(key)!;
      const observed = count / draws;
      const tolerance = 4 * Math.sqrt((expected * (1 - expected)) / draws) + 1e-4;
      assert.ok(Math.abs(observed - expected) < tolerance, `${key}: observed ${observed}, logged ${expected}`);
    }
    assert.equal(counts.size, 15, 'every item is seen at every position');
  });

  it('never exceeds the candidates and never repeats one', () => {
    const picks = epsilonGreedySlate([1, 2, 3], 10, 1, seeded(1));
    assert.equal(picks.length, 3);
    assert.equal(new Set(picks.map((pick) => pick.candidate)).size, 3);
    assert.ok(picks.every((pick) => Math.abs(pick.propensity - 1 / 3) < 1e-12), 'uniform slates: 1/3 for any item at any position');
  });

  it('ranks the top k, ties by lower index', () => {
    assert.deepEqual(topIndices([5, 1, 5, 9, 0], 3), [3, 0, 2]);
    assert.deepEqual(topIndices([1, 2], 5), [1, 0]);
  });
});

describe('epsilon-greedy slate with excluded candidates', () => {
  it('never shows an excluded candidate and counts only the others as remaining', () => {
    // Candidate 1 (the best) is excluded, leaving 3 showable: 2, 3, 0 in greedy order. Greedy picks 2;
    // exploration then lands on 0 (draw 0.1 * 4 -> 0), ranked third of three: the same marginal as the
    // hand-worked case above, (1 - 0.2/3) * 0.1.
    const picks = epsilonGreedySlate([0.1, 0.9, 0.5, 0.2], 2, 0.2, scripted(0.9, 0.1, 0.1), [1]);
    assert.deepEqual(picks.map((pick) => pick.candidate), [2, 0]);
    assert.ok(Math.abs(picks[0].propensity - (0.8 + 0.2 / 3)) < 1e-12);
    assert.ok(Math.abs(picks[1].propensity - (1 - 0.2 / 3) * 0.1) < 1e-12);
  });
});
