import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prng } from '../random/prng';
import { testConfig } from '../in-process-run.fixture';
import { createSimulation } from '../driver/simulation-factory';
import type { SimItem } from './catalog';
import { expectedSlateOutcome } from './choice-model';
import { oracleSlate } from './oracle';
import type { RequestContext } from './user-model';

test('the oracle beats or ties every random slate in expected reward', () => {
  const { world } = createSimulation(testConfig({ SIM_SEED: '4' }));
  const { model, catalog } = world;
  const prng = new Prng(8);
  for (const user of world.users.slice(0, 30)) {
    const context: RequestContext = { surface: prng.pick(['home', 'search'] as const), contextItem: null, searchIntent: catalog.categories[user.index % 24], localHour: prng.uniform(0, 24), virtualTime: 0 };
    const oracle = oracleSlate(model, user, context, catalog.available(), 10, 0.8);
    assert.equal(oracle.items.length, 10);
    const terms = model.categoryTerms(user, context);
    for (let trial = 0; trial < 200; trial += 1) {
      const slate = prng.sampleIndices(catalog.size, 10).map((index) => catalog.items[index]);
      const values = slate.map((item) => model.itemValue(user, context, item, terms));
      assert.ok(expectedSlateOutcome(values, 0.8).expectedReward <= oracle.expectedReward + 1e-12);
    }
  }
});

test('on a small catalog the oracle equals the best of all ordered slates (brute force)', () => {
  const { world } = createSimulation(testConfig({ SIM_SEED: '6', SIM_CATALOG_SIZE: '10', SIM_CATEGORIES: '4' }));
  const { model, catalog } = world;
  const items = catalog.items.slice(0, 7);
  for (const user of world.users.slice(0, 10)) {
    const context: RequestContext = { surface: 'product', contextItem: items[0], searchIntent: null, localHour: 20, virtualTime: 0 };
    const terms = model.categoryTerms(user, context);
    let best = Number.NEGATIVE_INFINITY;
    const visit = (slate: SimItem[]) => {
      if (slate.length === 3) {
        best = Math.max(best, expectedSlateOutcome(slate.map((item) => model.itemValue(user, context, item, terms)), 1).expectedReward);
        return;
      }
      for (const item of items) if (!slate.includes(item)) visit([...slate, item]);
    };
    visit([]);
    const oracle = oracleSlate(model, user, context, items, 3, 1);
    assert.ok(Math.abs(oracle.expectedReward - best) < 1e-12, `oracle ${oracle.expectedReward}, brute force ${best}`);
    assert.ok(!oracle.items.includes(items[0]), 'the viewed item is not recommended');
  }
});
