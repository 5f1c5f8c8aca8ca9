import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ITEM_DIM, LiveCatalog, bytesToFloats } from '@rec/shared';
import type { PendingRequest } from './pending-request-store';
import { buildTransitions } from './transition-builder';

function catalogOf(...itemIds: string[]): LiveCatalog {
  const catalog = new LiveCatalog();
  for (const itemId of itemIds) catalog.upsert({ itemId, category: 'shoes', price: 20, features: [1, 2], available: true, updatedAt: 1 });
  return catalog;
}

const pending: PendingRequest = {
  requestId: 'r1',
  userId: 'u1',
  servedAt: 1_000,
  modelVersion: 7,
  items: [
    { itemId: 'a', position: 0, propensity: 0.9 },
    { itemId: 'b', position: 1, propensity: 0.05 },
  ],
  nextRequestId: 'r2',
  rewards: new Map([['b', 3]]),
  impressions: new Set(['b']),
  lastFeedbackAt: 1_500,
};

describe('transition builder', () => {
  const state = Buffer.from(new Float32Array([1, 2]).buffer);
  const nextState = Buffer.from(new Float32Array([3, 4]).buffer);
  const next = { requestId: 'r2', state: nextState };

  it('emits one transition per shown item with its own reward, propensity and the next state', () => {
    const transitions = buildTransitions(pending, state, next, catalogOf('a', 'b'), { requireImpression: false, now: 2_000 });
    assert.deepEqual(transitions.map((t) => [t.itemId, t.reward, t.propensity, t.position, t.done]), [
      ['a', 0, 0.9, 0, false],
      ['b', 3, 0.05, 1, false],
    ]);
    assert.equal(transitions[0].transitionId, 'r1/a');
    assert.equal(transitions[1].modelVersion, 7);
    assert.equal(transitions[1].lastFeedbackTimestamp, 1_500);
    assert.deepEqual(transitions[1].nextState, nextState);
    assert.ok(transitions.every((t) => t.nextRequestId === 'r2'));
    // The slate's mean reward per emitted item, (0 + 3) / 2, rides on every transition for n-step returns.
    assert.ok(transitions.every((t) => t.slateReward === 1.5));
    assert.equal(bytesToFloats(transitions[0].itemFeatures).length, ITEM_DIM);
  });

  it('marks the transitions done, with no next state, when the session timed out', () => {
    const transitions = buildTransitions(pending, state, null, catalogOf('a', 'b'), { requireImpression: false, now: 2_000 });
    assert.ok(transitions.every((t) => t.done && t.nextState === null && t.nextRequestId === null));
  });

  it('keeps only confirmed impressions when requireImpression is on', () => {
    const transitions = buildTransitions(pending, state, next, catalogOf('a', 'b'), { requireImpression: true, now: 2_000 });
    assert.deepEqual(transitions.map((t) => t.itemId), ['b']);
    assert.equal(transitions[0].slateReward, 3, 'the mean is over the emitted items only');
  });

  it('skips items the catalog does not know', () => {
    const transitions = buildTransitions(pending, state, next, catalogOf('b'), { requireImpression: false, now: 2_000 });
    assert.deepEqual(transitions.map((t) => t.itemId), ['b']);
  });
});
