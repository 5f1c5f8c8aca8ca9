import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ITEM_FEATURE_SLOTS } from '@rec/shared';
import { createSimulation } from '../driver/simulation-factory';
import { testConfig } from '../in-process-run.fixture';
import type { RequestContext } from './user-model';
import { dot } from './vector-math';

const { world } = createSimulation(testConfig({ SIM_WORLD: 'raw-features', SIM_SEED: '3' }));
const items = world.catalog.items;
const columns = Array.from({ length: items[0].features.length }, (_, slot) => items.map((item) => item.features[slot]));

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function std(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(mean(values.map((value) => (value - m) ** 2)));
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const [ma, mb] = [mean(a), mean(b)];
  const covariance = mean(a.map((value, index) => (value - ma) * (b[index] - mb)));
  return covariance / (std(a) * std(b));
}

test('raw-features: 16 finite features whose scales span orders of magnitude, uncentred, prices in currency units', () => {
  assert.equal(columns.length, ITEM_FEATURE_SLOTS);
  for (const item of items) assert.ok(item.features.every(Number.isFinite));
  const spreads = columns.map(std).filter((value) => value > 0);
  assert.equal(spreads.length, 16, 'every feature varies');
  const ratio = Math.max(...spreads) / Math.min(...spreads);
  assert.ok(ratio > 1e4, `largest/smallest feature std ${ratio}`);
  // Not standardised: several features sit far from zero relative to their spread.
  assert.ok(columns.filter((column) => Math.abs(mean(column)) > 2 * std(column)).length >= 4);
  const prices = items.map((item) => item.price);
  assert.ok(Math.min(...prices) >= 0.99 && Math.max(...prices) > 200, 'prices are currency amounts');
});

test('raw-features: quality is a large part of appeal and no feature carries it; only six features carry the latent', () => {
  const quality = items.map((item) => item.quality);
  const strongest = Math.max(...columns.map((column) => Math.abs(correlation(column, quality))));
  assert.ok(strongest < 0.12, `strongest feature-quality correlation ${strongest}`);
  // For typical users, quality explains more of the spread in click utility over the catalog than taste does.
  const context: RequestContext = { surface: 'home', contextItem: null, searchIntent: null, localHour: 12, virtualTime: 0 };
  for (const user of world.users.slice(0, 20)) {
    const terms = world.model.categoryTerms(user, context);
    const utility = items.map((item) => world.model.clickUtility(user, context, item, terms));
    const taste = items.map((item) => world.scenario.tasteWeight * dot(user.taste, item.latent));
    assert.ok(std(quality) > std(taste), `user ${user.index}: quality std ${std(quality)}, taste-term std ${std(taste)}`);
    assert.ok(Math.abs(correlation(utility, quality)) > 0.6);
  }
  // Features that move with the latent vector: six (the informative ones); the ten others are pure noise.
  const latentLinked = columns.filter((column) => {
    let best = 0;
    for (let dim = 0; dim < 16; dim += 1) best = Math.max(best, Math.abs(correlation(column, items.map((item) => item.latent[dim]))));
    return best > 0.2;
  });
  assert.equal(latentLinked.length, 6);
});
