import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ITEM_DIM, LiveCatalog, ORGANIC_POSITION, bytesToFloats, encodeItem, type UserFeedback } from '@rec/shared';
import { buildOrganicTransitions } from './organic-transitions';

function catalogOf(count: number): LiveCatalog {
  const catalog = new LiveCatalog();
  for (let index = 0; index < count; index += 1) {
    catalog.upsert({ itemId: `i${index}`, category: 'shoes', price: 20, features: [index], available: true, updatedAt: 1 });
  }
  return catalog;
}

const click: UserFeedback = { eventId: 'e1', userId: 'u1', requestId: null, itemId: 'i3', type: 'CLICK', value: 0, timestamp: 5_000 };
const state = Buffer.from(new Float32Array([1, 2, 3]).buffer);

describe('organic-click transitions', () => {
  it('are the clicked item with its reward and distinct random other items with reward 0, all done at the organic position', () => {
    const catalog = catalogOf(50);
    const transitions = buildOrganicTransitions(click, state, catalog, { reward: 1, negatives: 4, arrivedAt: 8_000, now: 9_000 });
    assert.equal(transitions.length, 5);
    const [positive, ...negatives] = transitions;
    assert.equal(positive.itemId, 'i3');
    assert.equal(positive.reward, 1);
    assert.deepEqual(Array.from(bytesToFloats(positive.itemFeatures)), Array.from(encodeItem({ itemId: 'i3', category: 'shoes', price: 20, features: [3], available: true, updatedAt: 1 })));
    assert.equal(new Set(negatives.map(({ itemId }) => itemId)).size, 4, 'distinct negatives');
    for (const negative of negatives) {
      assert.notEqual(negative.itemId, 'i3');
      assert.equal(negative.reward, 0);
      assert.equal(negative.itemFeatures.byteLength, ITEM_DIM * 4);
    }
    for (const transition of transitions) {
      assert.equal(transition.position, ORGANIC_POSITION);
      assert.equal(transition.done, true);
      assert.equal(transition.nextState, null);
      assert.equal(transition.state, state);
      assert.equal(transition.requestId, 'organic:e1');
      assert.equal(transition.transitionId, `organic:e1/${transition.itemId}`);
      assert.equal(transition.slateReward, 1 / 5);
      assert.equal(transition.emittedAt, 9_000);
      assert.equal(transition.lastFeedbackTimestamp, 8_000, 'the arrival time of the click, as slate transitions carry');
    }
  });

  it('are the same for a redelivered click, so the learner drops the copy by transitionId', () => {
    const catalog = catalogOf(50);
    const first = buildOrganicTransitions(click, state, catalog, { reward: 1, negatives: 6, arrivedAt: 8_000, now: 1 });
    const again = buildOrganicTransitions(click, state, catalog, { reward: 1, negatives: 6, arrivedAt: 8_000, now: 2 });
    assert.deepEqual(again.map(({ transitionId }) => transitionId), first.map(({ transitionId }) => transitionId));
    const other = buildOrganicTransitions({ ...click, eventId: 'e2' }, state, catalog, { reward: 1, negatives: 6, arrivedAt: 8_000, now: 1 });
    assert.notDeepEqual(other.map(({ itemId }) => itemId), first.map(({ itemId }) => itemId), 'another click draws other negatives');
  });

  it('draw only available items, as many as there are, and nothing for an unknown item', () => {
    const catalog = catalogOf(4);
    catalog.upsert({ itemId: 'i0', category: 'shoes', price: 20, features: [0], available: false, updatedAt: 2 });
    const transitions = buildOrganicTransitions(click, state, catalog, { reward: 2, negatives: 10, arrivedAt: 8_000, now: 1 });
    assert.deepEqual(transitions.map(({ itemId }) => itemId).sort(), ['i1', 'i2', 'i3']);
    assert.deepEqual(buildOrganicTransitions({ ...click, itemId: 'gone' }, state, catalog, { reward: 1, negatives: 4, arrivedAt: 8_000, now: 1 }), []);
  });
});
