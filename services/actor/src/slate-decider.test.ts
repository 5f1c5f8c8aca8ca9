import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveCatalog, type AvailableItems, type RecommendationRequest } from '@rec/shared';
import { ExposureBonus } from './exposure-bonus';
import type { ScoringPolicy } from './scoring-policy';
import { SlateDecider } from './slate-decider';

/** Scores every request alike: item i of the catalog gets `fixed[itemId]`. */
class FixedScores implements ScoringPolicy {
  readonly name = 'ddqn' as const;
  constructor(private readonly fixed: Record<string, number>) {}
  score(_states: Float32Array, batch: number, items: AvailableItems): Float32Array {
    const row = Float32Array.from(items.ids, (itemId) => this.fixed[itemId]);
    const scores = new Float32Array(batch * row.length);
    for (let request = 0; request < batch; request += 1) scores.set(row, request * row.length);
    return scores;
  }
  modelVersion(): number {
    return 7;
  }
  fixedEpsilon(): number {
    return 0;
  }
}

function catalogOf(ids: string[]): LiveCatalog {
  const catalog = new LiveCatalog();
  for (const itemId of ids) catalog.upsert({ itemId, category: 'c', price: 1, features: [], available: true, updatedAt: 1 });
  return catalog;
}

function request(requestId: string, slateSize: number): RecommendationRequest {
  return { requestId, userId: 'u1', timestamp: 0, surface: 'home', contextItemId: null, candidateItemIds: null, slateSize, attributes: {} };
}

describe('slate decider with an exposure bonus', () => {
  const fixed = { best: 1.0, second: 0.9, third: 0.5 };

  it('ranks by score alone without a bonus', () => {
    const decider = new SlateDecider(new FixedScores(fixed), catalogOf(Object.keys(fixed)), () => 0.99);
    const { actions } = decider.decide([request('r1', 2), request('r2', 2)], [[], []], () => 0, 0);
    assert.deepEqual(actions.map((action) => action.items.map(({ itemId }) => itemId)), [['best', 'second'], ['best', 'second']]);
  });

  it('moves an item served little above a better one it served, logs the policy score and a greedy propensity of 1', () => {
    const bonus = new ExposureBonus(0.3);
    const decider = new SlateDecider(new FixedScores(fixed), catalogOf(Object.keys(fixed)), () => 0.99, 0, bonus);
    // First batch: no item served yet, every bonus equal, the score order.
    const first = decider.decide([request('r1', 1)], [[]], () => 0, 0);
    assert.deepEqual(first.actions[0].items.map(({ itemId }) => itemId), ['best']);
    assert.equal(bonus.timesServed('best'), 1);
    // 'best' served once: 1.0 + 0.3/sqrt(2) = 1.212 against the unserved 'second' at 0.9 + 0.3 = 1.2: still first.
    const second = decider.decide([request('r2', 1)], [[]], () => 0, 0);
    assert.deepEqual(second.actions[0].items.map(({ itemId }) => itemId), ['best']);
    // Served twice: 1.0 + 0.3/sqrt(3) = 1.173 < 1.2: the unserved 'second' goes first.
    const third = decider.decide([request('r3', 1)], [[]], () => 0, 0);
    const [item] = third.actions[0].items;
    assert.equal(item.itemId, 'second');
    assert.ok(Math.abs(item.score - 0.9) < 1e-6, `the logged score is the policy's own (${item.score})`);
    assert.equal(item.propensity, 1);
    assert.equal(item.explored, false);
  });
});
