import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itemFeatureNames, stateFeatureNames } from './feature-names';
import { ITEM_DIM } from './item-encoder';
import { STATE_DIM } from './state-encoder';

describe('feature names', () => {
  it('name every position of the encoded state and item, once each', () => {
    const state = stateFeatureNames();
    const item = itemFeatureNames();
    assert.equal(state.length, STATE_DIM);
    assert.equal(item.length, ITEM_DIM);
    assert.equal(new Set(state).size, STATE_DIM);
    assert.equal(new Set(item).size, ITEM_DIM);
    assert.ok(state.includes('surface: product') && state.includes('viewing an item'));
  });
});
