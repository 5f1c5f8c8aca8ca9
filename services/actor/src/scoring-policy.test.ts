import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveCatalog, topIndices, type AvailableItems } from '@rec/shared';
import { clickScores } from './scoring-policy';

/** The available items of a live catalog whose records arrived in the given order. */
function availableIn(ids: string[]): AvailableItems {
  const catalog = new LiveCatalog();
  for (const itemId of ids) catalog.upsert({ itemId, category: 'c', price: 1, features: [], available: true, updatedAt: 1 });
  return catalog.available();
}

/** The ids of the `k` best-scoring rows, best first. */
function topIds(items: AvailableItems, scores: Float32Array, k: number): string[] {
  return topIndices(scores, k).map((row) => items.ids[row]);
}

describe('click scores (the popularity policy)', () => {
  const ids = Array.from({ length: 300 }, (_, index) => `item-${String(index).padStart(6, '0')}`);

  it('ranks by clicks first: one click more outranks any tie-break', () => {
    const items = availableIn(ids);
    const clicks = new Map([
      ['item-000200', 3],
      ['item-000017', 2],
      ['item-000150', 2],
      ['item-000299', 1],
    ]);
    const top = topIds(items, clickScores(clicks, 1, items), 4);
    assert.equal(top[0], 'item-000200');
    assert.deepEqual(new Set(top.slice(1, 3)), new Set(['item-000017', 'item-000150']));
    assert.equal(top[3], 'item-000299');
  });

  it('orders equal counts by item, not by catalog row: the same greedy slate whatever order the catalog arrived in', () => {
    const inOrder = availableIn(ids);
    const reversed = availableIn([...ids].reverse());
    const shuffled = availableIn(ids.map((id, index) => ({ id, key: (index * 7919) % 301 })).sort((a, b) => a.key - b.key).map(({ id }) => id));
    const noClicks = new Map<string, number>();
    const first = topIds(inOrder, clickScores(noClicks, 1, inOrder), 10);
    assert.deepEqual(topIds(reversed, clickScores(noClicks, 1, reversed), 10), first);
    assert.deepEqual(topIds(shuffled, clickScores(noClicks, 1, shuffled), 10), first);
    // Not simply the lowest ids: the tie-break is a hash, so the first rows of an in-order catalog do not win.
    assert.notDeepEqual(first, ids.slice(0, 10));
  });

  it('gives every request of the batch the same row', () => {
    const items = availableIn(ids.slice(0, 5));
    const scores = clickScores(new Map([['item-000003', 4]]), 3, items);
    assert.equal(scores.length, 15);
    assert.deepEqual([...scores.subarray(5, 10)], [...scores.subarray(0, 5)]);
    assert.deepEqual([...scores.subarray(10, 15)], [...scores.subarray(0, 5)]);
    assert.ok(scores[3] >= 4 && scores[3] < 5);
  });
});
