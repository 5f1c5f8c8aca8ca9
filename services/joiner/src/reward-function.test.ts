import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewardOf } from './reward-function';

const seedWeights = { weights: { IMPRESSION: 0, CLICK: 1, ADD_TO_CART: 2, PURCHASE: 5 }, valueWeight: 0 };

describe('reward function', () => {
  it('weights each feedback type as configured (seed defaults)', () => {
    assert.equal(rewardOf({ type: 'IMPRESSION', value: 0 }, seedWeights), 0);
    assert.equal(rewardOf({ type: 'CLICK', value: 0 }, seedWeights), 1);
    assert.equal(rewardOf({ type: 'ADD_TO_CART', value: 0 }, seedWeights), 2);
    assert.equal(rewardOf({ type: 'PURCHASE', value: 80 }, seedWeights), 5);
  });

  it('adds valueWeight times the value', () => {
    // A purchase of 80 with 0.01 per unit of value: 5 + 0.8.
    assert.ok(Math.abs(rewardOf({ type: 'PURCHASE', value: 80 }, { ...seedWeights, valueWeight: 0.01 }) - 5.8) < 1e-12);
  });
});
