import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { encodeItem, epsilonGreedyMarginals, ITEM_DIM, STATE_DIM, type CatalogItem } from '@rec/shared';
import { initTensorBackend, tf } from '@rec/shared/model';
import { fitItemPositionRewardModel } from './item-position-reward-model';
import type { LoggedRequest } from './logged-data';
import { modelTarget } from './model-target';

const catalog: CatalogItem[] = Array.from({ length: 8 }, (_, index) => ({
  itemId: `i${index}`, category: `c${index % 3}`, price: 5 + index, features: [Math.sin(index * 1.7), Math.cos(index)], available: index !== 7, updatedAt: 0,
}));
const kernel = Float32Array.from({ length: ITEM_DIM }, (_, index) => Math.sin(index + 0.5));

/** A model in the exported format (inputs state, item): Q = <kernel, item>, whatever the state. */
function itemDotModel(): tf.LayersModel {
  const state = tf.input({ shape: [STATE_DIM], name: 'state' });
  const item = tf.input({ shape: [ITEM_DIM], name: 'item' });
  const stateTerm = tf.layers.dense({ units: 1, useBias: false, kernelInitializer: 'zeros' }).apply(state) as tf.SymbolicTensor;
  const itemLayer = tf.layers.dense({ units: 1, useBias: false });
  const itemTerm = itemLayer.apply(item) as tf.SymbolicTensor;
  itemLayer.setWeights([tf.tensor2d(kernel, [ITEM_DIM, 1])]);
  return tf.model({ inputs: [state, item], outputs: tf.layers.add().apply([stateTerm, itemTerm]) as tf.SymbolicTensor });
}

const request = (requestId: string, overrides: Partial<LoggedRequest> = {}): LoggedRequest => ({
  requestId, userId: 'u', timestamp: 0, surface: 'home', contextItemId: null, candidateItemIds: null, slateSize: 3, policy: 'popularity', epsilon: 0.5,
  modelVersion: 0, state: new Float32Array(STATE_DIM), slots: [], ...overrides,
});

before(() => initTensorBackend(undefined, 'cpu'));

test('a model target ranks the candidates by Q and gives each item its exact epsilon-greedy marginal', () => {
  const q = (item: CatalogItem) => encodeItem(item).reduce((sum, value, index) => sum + value * kernel[index], 0);
  const plain = request('plain');
  const related = request('related', { surface: 'product', contextItemId: 'i0' });
  const listed = request('listed', { candidateItemIds: ['i1', 'i2', 'i7', 'unknown'] });
  const target = modelTarget({ name: 'dot', model: itemDotModel(), catalog, epsilon: 0.2, requests: [plain, related, listed] });

  // The whole available catalog (i7 is unavailable): 7 candidates, greedy order by Q.
  const order = catalog.filter((item) => item.available).sort((a, b) => q(b) - q(a)).map((item) => item.itemId);
  const marginals = epsilonGreedyMarginals(7, 3, 0.2);
  order.forEach((itemId, rank) => {
    for (const position of [0, 1, 2]) assert.ok(Math.abs(target.probability(plain, itemId, position) - marginals.of(rank, position)) < 1e-12, `${itemId}@${position}`);
  });
  assert.equal(target.probability(plain, 'i7', 0), 0, 'an unavailable item is never shown');
  assert.equal(target.probability(plain, order[0], 3), 0, 'no position beyond the slate');
  // Each position is a distribution over the candidates; the viewed item is not one of them.
  for (const position of [0, 1, 2]) {
    const total = (req: LoggedRequest) => catalog.reduce((sum, item) => sum + target.probability(req, item.itemId, position), 0);
    assert.ok(Math.abs(total(plain) - 1) < 1e-12);
    assert.ok(Math.abs(total(related) - 1) < 1e-12);
    // Two candidates fill two positions only.
    assert.ok(Math.abs(total(listed) - (position < 2 ? 1 : 0)) < 1e-12);
  }
  assert.equal(target.probability(related, 'i0', 0), 0);
  // Two listed candidates are available: i1 and i2, in Q order.
  const [better, worse] = ['i1', 'i2'].sort((a, b) => q(catalog[Number(b.slice(1))]) - q(catalog[Number(a.slice(1))]));
  assert.ok(Math.abs(target.probability(listed, better, 0) - (0.8 + 0.2 / 2)) < 1e-12);
  assert.ok(Math.abs(target.probability(listed, worse, 1) - (0.8 + 0.2 / 2)) < 1e-12);

  // DR's direct term is the expectation of the reward model under these probabilities.
  const rewardModel = fitItemPositionRewardModel(catalog.flatMap((item, index) => [0, 1, 2].map((position) => ({ itemId: item.itemId, position, reward: ((index * 7 + position) % 5) / 4 }))));
  for (const req of [plain, related, listed]) {
    for (const position of [0, 1, 2]) {
      const bruteForce = catalog.reduce((sum, item) => sum + target.probability(req, item.itemId, position) * rewardModel.predict(item.itemId, position), 0);
      assert.ok(Math.abs(target.expectation(req, position, rewardModel) - bruteForce) < 1e-12, `${req.requestId}@${position}`);
    }
  }
  assert.throws(() => target.probability(request('never-scored'), 'i1', 0), /not scored/);
});
