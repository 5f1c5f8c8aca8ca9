import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testConfig } from '../in-process-run.fixture';
import { createSimulation } from '../driver/simulation-factory';
import { examinationProbabilities } from './choice-model';
import type { RequestContext, SlotOutcome } from './user-model';

const home: RequestContext = { surface: 'home', contextItem: null, searchIntent: null, localHour: 12, virtualTime: 0 };
const noClick: SlotOutcome = { examined: true, clicked: false, addedToCart: false, purchased: false };
const click: SlotOutcome = { examined: true, clicked: true, addedToCart: false, purchased: false };

test('satiation: repeated exposure to a category lowers its appeal, other categories keep theirs, time away restores it', () => {
  const { world } = createSimulation(testConfig({ SIM_SCENARIO: 'session-dynamics' }));
  const { model, catalog } = world;
  const user = world.users[0];
  const category = catalog.categories[0];
  const inCategory = catalog.items.filter((item) => item.category === category).slice(0, 10);
  const other = catalog.items.find((item) => item.category !== category);
  assert.ok(other !== undefined);
  const clickProbability = (item = inCategory[0]) => model.itemValue(user, home, item, model.categoryTerms(user, home)).clickProbability;
  const before = clickProbability();
  const otherBefore = clickProbability(other);
  const examination = examinationProbabilities(inCategory.length, 0.8);
  for (let step = 0; step < 3; step += 1) model.afterSlate(user, inCategory, examination, inCategory.map(() => noClick));
  const after = clickProbability();
  assert.ok(after < 0.8 * before, `click probability ${before} -> ${after}`);
  assert.ok(Math.abs(clickProbability(other) - otherBefore) < 1e-12);
  user.lastActiveAt = 0;
  model.startVisit(user, 48 * 3_600_000);
  assert.ok(clickProbability() > 0.95 * before, 'two days away restore the appeal');
});

test('clicks satiate more than exposure and pull the taste toward the clicked item', () => {
  const { world } = createSimulation(testConfig({ SIM_SCENARIO: 'session-dynamics' }));
  const { model, catalog } = world;
  const [shownUser, clickedUser] = [world.users[1], world.users[2]];
  const item = catalog.items[5];
  const similarity = (taste: Float64Array) => taste.reduce((sum, value, dim) => sum + value * item.latent[dim], 0);
  const clickedBefore = similarity(clickedUser.taste);
  model.afterSlate(shownUser, [item], [1], [noClick]);
  model.afterSlate(clickedUser, [item], [1], [click]);
  assert.ok(clickedUser.satiation[item.category.index] > shownUser.satiation[item.category.index]);
  assert.ok(similarity(clickedUser.taste) > clickedBefore);
});

test('continuation rises with clicks and purchases and falls with a repetitive slate', () => {
  const { world } = createSimulation(testConfig({ SIM_SCENARIO: 'session-dynamics' }));
  const { model, catalog } = world;
  const oneCategory = catalog.items.filter((item) => item.category === catalog.categories[0]).slice(0, 10);
  const diverse = catalog.categories.slice(0, 10).map((category) => catalog.items.find((item) => item.category === category)!);
  const examination = examinationProbabilities(10, 0.8);
  const none = Array.from({ length: 10 }, () => noClick);
  const twoClicks = none.map((outcome, slot) => (slot < 2 ? click : outcome));
  const withPurchase = twoClicks.map((outcome, slot) => (slot === 0 ? { ...click, addedToCart: true, purchased: true } : outcome));
  const zeros = new Array<number>(10).fill(0);
  const p = (items: typeof diverse, outcomes: SlotOutcome[]) => model.continuationProbability(items, examination, outcomes, zeros);
  assert.ok(p(diverse, twoClicks) > p(diverse, none));
  assert.ok(p(diverse, withPurchase) > p(diverse, twoClicks));
  assert.ok(p(oneCategory, none) < p(diverse, none));
});

test('users with more engaging sessions come back sooner (mean return gap)', () => {
  const { world } = createSimulation(testConfig({ SIM_SCENARIO: 'session-dynamics' }));
  const user = world.users[3];
  const meanGap = (satisfaction: number) => {
    let total = 0;
    for (let draw = 0; draw < 4_000; draw += 1) total += world.model.returnGapMs(user, satisfaction);
    return total / 4_000;
  };
  const bored = meanGap(0);
  const happy = meanGap(2);
  assert.ok(happy < 0.5 * bored, `gap ${bored} -> ${happy}`);
  assert.ok(happy >= 30 * 60_000);
});
