import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogItem } from '../events/contract';
import { ITEM_FEATURE_SLOTS } from '../state/item-encoder';
import { LiveCatalog } from './live-catalog';

function item(itemId: string, features: number, updatedAt: number, available = true): CatalogItem {
  return { itemId, category: 'c', price: 1, features: Array.from({ length: features }, (_, index) => index), available, updatedAt };
}

describe('live catalog', () => {
  it('counts the items whose newest version has more features than the item encoder reads', () => {
    const catalog = new LiveCatalog();
    catalog.upsert(item('a', ITEM_FEATURE_SLOTS, 1));
    assert.equal(catalog.itemsWithUnreadFeatures, 0, 'exactly the slots: nothing unread');
    catalog.upsert(item('b', ITEM_FEATURE_SLOTS + 8, 1));
    catalog.upsert(item('c', ITEM_FEATURE_SLOTS + 1, 1, false));
    assert.equal(catalog.itemsWithUnreadFeatures, 2, 'available or not');
    catalog.upsert(item('b', ITEM_FEATURE_SLOTS + 8, 2));
    assert.equal(catalog.itemsWithUnreadFeatures, 2, 'a new version of the same item counts once');
    catalog.upsert(item('b', 3, 3));
    assert.equal(catalog.itemsWithUnreadFeatures, 1, 'a newer version with fewer features is read whole');
    catalog.upsert(item('c', 3, 0));
    assert.equal(catalog.itemsWithUnreadFeatures, 1, 'an older version changes nothing');
  });

  it('keeps available items apart from withdrawn ones, newest version winning', () => {
    const catalog = new LiveCatalog();
    catalog.upsert(item('a', 2, 1));
    catalog.upsert(item('b', 2, 1));
    catalog.upsert(item('a', 2, 2, false));
    catalog.upsert(item('a', 2, 1, true));
    assert.equal(catalog.size, 2);
    assert.equal(catalog.availableCount, 1);
    assert.deepEqual(catalog.available().ids, ['b']);
    assert.equal(catalog.isAvailable('a'), false);
    assert.ok(catalog.vectorOf('a') !== undefined, 'a withdrawn item still encodes');
  });
});
