import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maximalMarginalRelevance } from './diverse-ranking';

describe('maximal marginal relevance', () => {
  // Candidates 0 and 1 are near-duplicates (similarity 0.9); 2 is different from both.
  const scores = [1.0, 0.95, 0.8];
  const similarity = (a: number, b: number) => ((a === 0 && b === 1) || (a === 1 && b === 0) ? 0.9 : 0);

  it('puts a different item above the near-duplicate of the best one once the penalty outweighs the score gap', () => {
    // 0.95 - 0.5 * 0.9 = 0.5 < 0.8: item 2 goes second.
    assert.deepEqual(maximalMarginalRelevance([0, 1, 2], scores, 3, 0.5, similarity), [0, 2, 1]);
    // 0.95 - 0.1 * 0.9 = 0.86 > 0.8: a small penalty keeps the score order.
    assert.deepEqual(maximalMarginalRelevance([0, 1, 2], scores, 3, 0.1, similarity), [0, 1, 2]);
  });

  it('is the score order at penalty 0, and keeps the pool beyond the slate in score order', () => {
    assert.deepEqual(maximalMarginalRelevance([0, 1, 2], scores, 3, 0, similarity), [0, 1, 2]);
    assert.deepEqual(maximalMarginalRelevance([0, 1, 2], scores, 1, 0.5, similarity), [0, 1, 2]);
  });
});
