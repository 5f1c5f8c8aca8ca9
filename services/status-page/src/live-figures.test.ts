import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecommendationAction } from '@rec/shared';
import { LiveFigures } from './live-figures';
import { renderStatusPage } from './status-view';

const reward = { weights: { IMPRESSION: 0, CLICK: 1, ADD_TO_CART: 2, PURCHASE: 5 }, valueWeight: 0.1 };
const action = (requestId: string, explored: boolean[], modelVersion = 3): RecommendationAction => ({
  requestId, userId: 'u', timestamp: 0, modelVersion, epsilon: 0.1, policy: 'ddqn',
  items: explored.map((flag, position) => ({ itemId: `i${position}`, position, score: 1, propensity: 0.5, explored: flag })),
});

describe('live figures', () => {
  it('counts actions and attributed feedback per bucket, with the reward function', () => {
    const figures = new LiveFigures({ bucketMs: 1_000, buckets: 3, recentErrors: 2, reward });
    figures.recordAction(action('r1', [false, true]), 10_100);
    figures.recordAction(action('r2', [false, false], 5), 10_900);
    figures.recordFeedback({ eventId: 'e1', userId: 'u', requestId: 'r1', itemId: 'i0', type: 'CLICK', value: 0, timestamp: 0 }, 10_500);
    figures.recordFeedback({ eventId: 'e2', userId: 'u', requestId: 'r1', itemId: 'i0', type: 'PURCHASE', value: 20, timestamp: 0 }, 11_200);
    figures.recordFeedback({ eventId: 'e3', userId: 'u', requestId: null, itemId: 'i0', type: 'CLICK', value: 0, timestamp: 0 }, 11_300);
    const { buckets } = figures.snapshot(11_500);
    assert.deepEqual(buckets.map((bucket) => bucket.start), [9_000, 10_000, 11_000]);
    assert.deepEqual(
      { actions: buckets[1].actions, shown: buckets[1].shownItems, explored: buckets[1].exploredItems, clicks: buckets[1].clicks, reward: buckets[1].reward, version: buckets[1].servedVersion },
      { actions: 2, shown: 4, explored: 1, clicks: 1, reward: 1, version: 5 },
    );
    assert.equal(buckets[2].purchases, 1);
    assert.equal(buckets[2].reward, 5 + 0.1 * 20);
    assert.equal(buckets[2].clicks, 0, 'organic feedback is not attributed');
    // Buckets older than the window are dropped.
    figures.recordAction(action('r3', [false]), 20_000);
    assert.equal(figures.snapshot(20_000).buckets.reduce((sum, bucket) => sum + bucket.actions, 0), 1);
  });

  it('keeps the newest dead letters, newest first, and renders them escaped', () => {
    const figures = new LiveFigures({ bucketMs: 1_000, buckets: 3, recentErrors: 2, reward });
    for (const reason of ['a', 'b', '<c>']) figures.recordDeadLetter({ topic: 't', reason, error: 'e', service: 's', at: 1 });
    const { buckets, errors } = figures.snapshot(5_000);
    assert.deepEqual(errors.map((error) => error.reason), ['<c>', 'b']);
    const html = renderStatusPage({ buckets, bucketMs: 1_000, errors, model: { modelId: 'm', publishedVersion: 7, pinnedVersion: null }, lag: [{ group: 'g', topic: 't', lag: 3 }], topicPrefix: '', generatedAt: 5_000 });
    assert.match(html, /&lt;c&gt;/);
    assert.ok(!html.includes('<c>'));
    assert.equal((html.match(/<svg /g) ?? []).length, 5);
    assert.match(html, /no data yet/);
  });
});
