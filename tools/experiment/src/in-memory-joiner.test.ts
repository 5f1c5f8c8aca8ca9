import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveCatalog, bytesToFloats, type RecommendationAction, type Transition, type UserFeedback } from '@rec/shared';
import { readJoinerConfig } from '@rec/joiner';
import { InMemoryJoiner } from './in-memory-joiner';

const config = readJoinerConfig({ JOINER_REWARD_WAIT_MS: '60000', JOINER_SESSION_TIMEOUT_MS: '120000', JOINER_JOIN_WAIT_MS: '1000' });

function catalogOf(...itemIds: string[]): LiveCatalog {
  const catalog = new LiveCatalog();
  for (const itemId of itemIds) catalog.upsert({ itemId, category: 'c', price: 1, features: [1], available: true, updatedAt: 1 });
  return catalog;
}

function action(requestId: string, items: string[]): RecommendationAction {
  return {
    requestId,
    userId: 'u1',
    timestamp: 0,
    items: items.map((itemId, position) => ({ itemId, position, score: 0, propensity: 0.5, explored: false })),
    modelVersion: 3,
    epsilon: 0.1,
    policy: 'ddqn',
  };
}

function click(requestId: string, itemId: string, type: UserFeedback['type'] = 'CLICK'): UserFeedback {
  return { eventId: `${requestId}-${itemId}-${type}`, userId: 'u1', requestId, itemId, type, value: 0, timestamp: 0 };
}

describe('the in-memory joiner', () => {
  it('emits one transition per shown item join-wait after the next request, with its reward and the next state', () => {
    const emitted: Transition[] = [];
    const joiner = new InMemoryJoiner(config, catalogOf('a', 'b'), (transitions) => emitted.push(...transitions));
    joiner.recordAction(action('r1', ['a', 'b']), Float32Array.from([1, 2]), 1_000, 0);
    assert.equal(joiner.foldFeedback(click('r1', 'a'), 500), 1);
    assert.equal(joiner.foldFeedback(click('r1', 'a', 'PURCHASE'), 600), 5);
    joiner.recordAction(action('r2', ['b']), Float32Array.from([3, 4]), 61_000, 2_000);
    joiner.sweep(2_999);
    assert.equal(emitted.length, 0, 'not before the join wait');
    joiner.sweep(3_000);
    assert.deepEqual(
      emitted.map((transition) => [transition.itemId, transition.reward, transition.done, transition.nextRequestId]),
      [
        ['a', 6, false, 'r2'],
        ['b', 0, false, 'r2'],
      ],
    );
    assert.deepEqual(Array.from(bytesToFloats(emitted[0].nextState!)), [3, 4]);
    assert.equal(emitted[0].slateReward, 3);
  });

  it('ends the session (done) when the next request comes after the session timeout, or none comes', () => {
    const emitted: Transition[] = [];
    const joiner = new InMemoryJoiner(config, catalogOf('a'), (transitions) => emitted.push(...transitions));
    joiner.recordAction(action('r1', ['a']), Float32Array.from([1]), 1_000, 0);
    // Stamped 3 minutes later on the platform's clock: a new session.
    joiner.recordAction(action('r2', ['a']), Float32Array.from([2]), 181_000, 10);
    joiner.sweep(10);
    assert.deepEqual(emitted.map((transition) => [transition.requestId, transition.done]), [['r1', true]]);
    joiner.sweep(120_009);
    assert.equal(emitted.length, 1, 'r2 waits for its session timeout');
    joiner.sweep(120_010);
    assert.deepEqual(emitted.map((transition) => [transition.requestId, transition.done]), [['r1', true], ['r2', true]]);
  });

  it('ignores feedback after the reward wait and organic feedback', () => {
    const joiner = new InMemoryJoiner(config, catalogOf('a'), () => undefined);
    joiner.recordAction(action('r1', ['a']), Float32Array.from([1]), 1_000, 0);
    assert.equal(joiner.foldFeedback(click('r1', 'a'), 60_001), null);
    assert.equal(joiner.foldFeedback({ ...click('r1', 'a'), requestId: null }, 10), null);
  });

  it('emits an organic click at once as the clicked item and JOINER_ORGANIC_NEGATIVES others, as the service joiner does', () => {
    const emitted: Transition[] = [];
    const organic: UserFeedback = { ...click('r0', 'a'), eventId: 'o1', requestId: null };
    const catalog = catalogOf('a', 'b', 'c', 'd', 'e', 'f');
    const joiner = new InMemoryJoiner(readJoinerConfig({ JOINER_ORGANIC_NEGATIVES: '3' }), catalog, (transitions) => emitted.push(...transitions));
    joiner.recordOrganicClick(organic, Float32Array.from([7, 8]), 42);
    assert.deepEqual(emitted.map(({ reward }) => reward), [1, 0, 0, 0]);
    assert.equal(emitted[0].itemId, 'a');
    assert.deepEqual(Array.from(bytesToFloats(emitted[0].state)), [7, 8]);
    joiner.recordOrganicClick({ ...organic, eventId: 'o2', type: 'IMPRESSION' }, Float32Array.from([7, 8]), 43);
    joiner.recordOrganicClick({ ...organic, eventId: 'o3', requestId: 'r1' }, Float32Array.from([7, 8]), 44);
    assert.equal(emitted.length, 4, 'an organic impression, or a click on a recommendation, is no organic example');
    const off = new InMemoryJoiner(readJoinerConfig({ JOINER_ORGANIC_NEGATIVES: '0' }), catalog, (transitions) => emitted.push(...transitions));
    off.recordOrganicClick({ ...organic, eventId: 'o4' }, Float32Array.from([7, 8]), 45);
    assert.equal(emitted.length, 4, 'none with the option at 0');
  });
});
