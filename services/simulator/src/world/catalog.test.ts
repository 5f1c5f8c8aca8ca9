import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ITEM_FEATURE_SLOTS } from '@rec/shared';
import { Prng } from '../random/prng';
import { SimCatalog, LATENT_DIM } from './catalog';
import { CatalogChurn } from './catalog-churn';
import { latentItemDesign } from './latent-item-design';

const options = { size: 1_000, categories: 24, design: latentItemDesign({ itemSpread: 0.6, featureNoise: 0.05, qualityStd: 0.5 }) };

test('the default catalog: 1,000 items in 24 categories with prices and 16 finite features', () => {
  const catalog = SimCatalog.generate(new Prng(1), options, 0);
  assert.equal(catalog.size, 1_000);
  const categories = new Set(catalog.items.map((item) => item.category.name));
  assert.ok(categories.size >= 20, `${categories.size} categories`);
  assert.equal(LATENT_DIM, ITEM_FEATURE_SLOTS);
  for (const item of catalog.items) {
    assert.equal(item.features.length, 16);
    assert.ok(item.features.every(Number.isFinite));
    assert.ok(item.price > 0);
  }
  const record = SimCatalog.toCatalogItem(catalog.items[0], 123);
  assert.deepEqual(Object.keys(record).sort(), ['available', 'category', 'features', 'itemId', 'price', 'updatedAt']);
  assert.equal(record.updatedAt, 123);
  assert.equal(new Set(catalog.items.map((item) => item.itemId)).size, 1_000);
});

test('10,000 items work', () => {
  const catalog = SimCatalog.generate(new Prng(2), { ...options, size: 10_000 }, 0);
  assert.equal(catalog.available().length, 10_000);
  assert.equal(catalog.get('item-009999')?.index, 9_999);
});

test('churn: stockouts, restocks and arrivals on schedule, deterministic', () => {
  const run = () => {
    const catalog = SimCatalog.generate(new Prng(3), options, 0);
    const churn = new CatalogChurn(catalog, new Prng(4), {
      updateEveryRequests: 100,
      stockoutsPer1000Requests: 20,
      restockAfterRequests: 500,
      newItemsPer1000Requests: 10,
    });
    const log: string[] = [];
    assert.equal(churn.advance(99, 0), null);
    for (let requests = 100; requests <= 1_000; requests += 100) {
      const change = churn.advance(requests, requests);
      assert.ok(change !== null);
      log.push(`${requests}:${change.stockouts}/${change.restocks}/${change.arrivals}:${change.changed.map((item) => `${item.itemId}=${item.available}`).join(',')}`);
    }
    return { catalog, log };
  };
  const { catalog, log } = run();
  assert.deepEqual(run().log, log);
  assert.equal(catalog.size, 1_010);
  assert.equal(catalog.items.filter((item) => item.arrivedAtRequest !== null).length, 10);
  // 20 per 1,000 requests for 1,000 requests, minus restocks after 500 requests.
  assert.equal(catalog.items.filter((item) => !item.available).length, 20 - 10);
  assert.ok(catalog.available().every((item) => item.available));
});
