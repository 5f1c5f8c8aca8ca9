import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitItemPositionRewardModel } from './item-position-reward-model';

test('the item-position reward model by hand: position means times a shrunk item lift', () => {
  // Position 0: rewards 1, 0, 1, 0 (mean 0.5); position 1: 0, 0, 1, 0 (mean 0.25). Overall mean 3/8.
  const model = fitItemPositionRewardModel(
    [
      ['a', 0, 1], ['b', 0, 0], ['a', 0, 1], ['b', 0, 0],
      ['a', 1, 0], ['b', 1, 0], ['c', 1, 1], ['b', 1, 0],
    ].map(([itemId, position, reward]) => ({ itemId: itemId as string, position: position as number, reward: reward as number })),
    2,
  );
  // Prior m = 2 * 3/8 = 0.75. Item a: earned 2, expected 0.5 + 0.5 + 0.25 = 1.25 -> lift (2 + 0.75) / (1.25 + 0.75) = 1.375.
  assert.ok(Math.abs(model.predict('a', 0) - 0.5 * 1.375) < 1e-12);
  assert.ok(Math.abs(model.predict('a', 1) - 0.25 * 1.375) < 1e-12);
  // Item b: earned 0, expected 0.5 + 0.5 + 0.25 + 0.25 = 1.5 -> lift 0.75 / 2.25.
  assert.ok(Math.abs(model.predict('b', 0) - 0.5 / 3) < 1e-12);
  // An unseen item has lift 1; an unseen position takes the overall mean.
  assert.equal(model.predict('new', 1), 0.25);
  assert.ok(Math.abs(model.predict('new', 7) - 3 / 8) < 1e-12);
  assert.equal(fitItemPositionRewardModel([]).predict('x', 0), 0);
});
