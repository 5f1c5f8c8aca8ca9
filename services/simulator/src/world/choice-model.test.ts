import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prng } from '../random/prng';
import { testConfig } from '../in-process-run.fixture';
import { createSimulation } from '../driver/simulation-factory';
import type { SimItem } from './catalog';
import { examinationProbabilities, expectedSlateOutcome, sampleSlateOutcome } from './choice-model';
import type { RequestContext } from './user-model';

test('examination falls with position, and faster on mobile', () => {
  const desktop = examinationProbabilities(10, 0.8);
  const mobile = examinationProbabilities(10, 1.1);
  assert.equal(desktop[0], 1);
  for (let position = 1; position < 10; position += 1) {
    assert.ok(desktop[position] < desktop[position - 1]);
    assert.ok(mobile[position] < desktop[position]);
  }
});

test("a slate of the user's top items gets more clicks than a random slate, in expectation and sampled", () => {
  const { world } = createSimulation(testConfig({ SIM_SEED: '3' }));
  const { model, catalog } = world;
  const prng = new Prng(17);
  let topExpected = 0;
  let randomExpected = 0;
  let topSampled = 0;
  let randomSampled = 0;
  for (const user of world.users.slice(0, 200)) {
    const context: RequestContext = { surface: 'home', contextItem: null, searchIntent: null, localHour: 12, virtualTime: 0 };
    const terms = model.categoryTerms(user, context);
    const byValue = [...catalog.available()].sort(
      (a, b) => model.itemValue(user, context, b, terms).clickProbability - model.itemValue(user, context, a, terms).clickProbability,
    );
    const top = byValue.slice(0, 10);
    const random: SimItem[] = prng.sampleIndices(catalog.size, 10).map((index) => catalog.items[index]);
    const topValues = top.map((item) => model.itemValue(user, context, item, terms));
    const randomValues = random.map((item) => model.itemValue(user, context, item, terms));
    topExpected += expectedSlateOutcome(topValues, 0.8).expectedClicks;
    randomExpected += expectedSlateOutcome(randomValues, 0.8).expectedClicks;
    topSampled += sampleSlateOutcome(prng, topValues, 0.8).filter((outcome) => outcome.clicked).length;
    randomSampled += sampleSlateOutcome(prng, randomValues, 0.8).filter((outcome) => outcome.clicked).length;
  }
  assert.ok(topExpected > 3 * randomExpected, `expected clicks: top ${topExpected}, random ${randomExpected}`);
  assert.ok(topSampled > 3 * randomSampled, `sampled clicks: top ${topSampled}, random ${randomSampled}`);
});

test('sampled outcomes follow the funnel: purchase implies cart implies click implies examined', () => {
  const prng = new Prng(1);
  const value = { clickProbability: 0.6, cartProbability: 0.5, purchaseProbability: 0.5, expectedReward: 0 };
  for (let trial = 0; trial < 2_000; trial += 1) {
    for (const outcome of sampleSlateOutcome(prng, [value, value, value], 1)) {
      if (outcome.purchased) assert.ok(outcome.addedToCart);
      if (outcome.addedToCart) assert.ok(outcome.clicked);
      if (outcome.clicked) assert.ok(outcome.examined);
    }
  }
});
