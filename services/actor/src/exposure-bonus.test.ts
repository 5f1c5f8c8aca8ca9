import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ITEM_DIM, type AvailableItems, type RecommendationAction } from '@rec/shared';
import { ExposureBonus } from './exposure-bonus';

function itemsOf(ids: string[]): AvailableItems {
  return { revision: 1, ids, rowOf: new Map(ids.map((id, row) => [id, row])), vectors: new Float32Array(ids.length * ITEM_DIM) };
}

function servedAction(itemIds: string[]): RecommendationAction {
  return {
    requestId: 'r',
    userId: 'u',
    timestamp: 0,
    modelVersion: 1,
    epsilon: 0,
    policy: 'ddqn',
    items: itemIds.map((itemId, position) => ({ itemId, position, score: 0, propensity: 1, explored: false })),
  };
}

describe('exposure bonus', () => {
  const items = itemsOf(['a', 'b', 'c']);

  it('adds scale / sqrt(1 + times served) to every request row and leaves the scores as they were', () => {
    const bonus = new ExposureBonus(0.5);
    bonus.countServed([servedAction(['a']), servedAction(['a', 'b']), servedAction(['a'])]);
    const scores = Float32Array.from([1, 1, 1, 2, 0, -1]);
    const ranked = bonus.ranked(scores, 2, items);
    const expected = [0.5 / Math.sqrt(4), 0.5 / Math.sqrt(2), 0.5];
    for (let request = 0; request < 2; request += 1) {
      for (let item = 0; item < 3; item += 1) assert.ok(Math.abs(ranked[request * 3 + item] - scores[request * 3 + item] - expected[item]) < 1e-6);
    }
    assert.deepEqual([...scores], [1, 1, 1, 2, 0, -1]);
    assert.equal(bonus.timesServed('a'), 3);
    assert.equal(bonus.timesServed('c'), 0);
  });

  it('lets an item never served overtake a slightly better one that was served, and the lead fades with serving', () => {
    const bonus = new ExposureBonus(0.3);
    const scores = Float32Array.from([1.0, 0.9]);
    const two = itemsOf(['old', 'new']);
    for (let request = 0; request < 8; request += 1) bonus.countServed([servedAction(['old'])]);
    let ranked = bonus.ranked(scores, 1, two);
    assert.ok(ranked[1] > ranked[0], 'the unserved item ranks first');
    for (let request = 0; request < 50; request += 1) bonus.countServed([servedAction(['new'])]);
    ranked = bonus.ranked(scores, 1, two);
    assert.ok(ranked[0] > ranked[1], 'served often, it falls back behind the better one');
  });
});
