import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from '@rec/shared';
import { evaluateTarget } from './evaluate-target';
import { joinLoggedData } from './logged-data';
import { popularityByCategoryTarget, uniformRandomTarget } from './target-policies';

const item = (itemId: string, category: string, available = true): CatalogItem => ({ itemId, category, price: 10, features: [], available, updatedAt: 0 });
const catalog = [item('a', 'x'), item('b', 'x'), item('c', 'y'), item('d', 'y'), item('gone', 'y', false)];
const request = (requestId: string, contextItemId: string | null): RecommendationRequest => ({
  requestId, userId: 'u', timestamp: Number(requestId.slice(1)), surface: contextItemId ? 'product' : 'home', contextItemId, candidateItemIds: null, slateSize: 2, attributes: {},
});
const action = (requestId: string, items: [string, number][]): RecommendationAction => ({
  requestId, userId: 'u', timestamp: 0, modelVersion: 1, epsilon: 0.1, policy: 'ddqn',
  items: items.map(([itemId, propensity], position) => ({ itemId, position, score: 0, propensity, explored: false })),
});
let eventCounter = 0;
const event = (requestId: string | null, itemId: string, type: UserFeedback['type'], timestamp = 0): UserFeedback => ({
  eventId: `e${eventCounter++}`, userId: 'u', requestId, itemId, type, value: 0, timestamp,
});

test('joins actions, impressions and clicks; evaluates uniform-random and popularity-by-category by hand', () => {
  const logged = joinLoggedData({
    requests: [request('r1', null), request('r2', 'c')],
    actions: [action('r1', [['a', 0.5], ['c', 0.25]]), action('r1', [['d', 1], ['d', 1]]), action('r2', [['d', 0.5], ['b', 0.5]])],
    feedback: [
      event('r1', 'a', 'IMPRESSION'), event('r1', 'c', 'IMPRESSION'), event('r1', 'a', 'CLICK'),
      event('r2', 'd', 'IMPRESSION'), event('r2', 'b', 'IMPRESSION'), event('r2', 'd', 'CLICK'),
    ],
  });
  assert.equal(logged.length, 2, 'the duplicate action is dropped');
  assert.deepEqual(logged[0].slots.map((slot) => [slot.itemId, slot.reward]), [['a', 1], ['c', 0]]);

  // uniform-random over the 4 available items: pi = 1/4 everywhere.
  // r1: w = (0.5, 1), S = 0.5; r2: w = (0.5, 0.5), S = 0.5. IPS = 1 / 4 slots = 0.25. SNIPS = 1 / 2.5 = 0.4.
  const uniform = evaluateTarget(logged, uniformRandomTarget(catalog));
  assert.equal(uniform.ctr.ips.value, 0.25);
  assert.equal(uniform.ctr.snips.value, 0.4);
  assert.equal(uniform.loggingCtr, 0.5);

  // Popularity from clicks: d (2), a (1), then b, c by id. Home: [d, a]; product page of c (category y):
  // category y first without c itself -> [d, then the rest by popularity: a].
  const training = [event(null, 'd', 'CLICK'), event(null, 'd', 'CLICK'), event(null, 'a', 'CLICK')];
  const popularity = evaluateTarget(logged, popularityByCategoryTarget(catalog, training));
  // r1 slots: a@0 (target d) no, c@1 (target a) no. r2: d@0 (target d) yes w = 2, clicked; b@1 (target a) no.
  assert.equal(popularity.ctr.matchedSlots, 1);
  assert.equal(popularity.ctr.ips.value, 2 / 4);
  assert.equal(popularity.ctr.snips.value, 1);
  assert.equal(popularity.perPosition.length, 2);
});
