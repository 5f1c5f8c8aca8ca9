import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { QNetwork } from './q-network';
import { explainScore } from './score-explanation';
import { initTensorBackend, tf } from './tensor-backend';

const sum = (values: Float64Array) => values.reduce((a, b) => a + b, 0);

describe('score explanation', () => {
  before(async () => {
    await initTensorBackend(undefined, 'cpu');
  });

  it('splits Q(s, a) into state, item and bias parts that add up to the network\'s own score', () => {
    // Items: six dense features and the identity slot; per-item rows; a normaliser that is not the identity.
    const spec = { stateDim: 12, itemDim: 7, hiddenSizes: [16, 8, 5], itemIdBuckets: 16, itemIdDim: 2, seed: 3 };
    const network = new QNetwork(spec, 'explain');
    network.setNormalizer({ mean: Float32Array.from([0.1, 0.2, -0.3, 1, 0, 2]), scale: Float32Array.from([2, 1, 0.5, 3, 1, 0.25]) });
    // Non-zero biases everywhere, so every term is exercised.
    const weights = network.getWeights().map((value, index) => (value === 0 ? Math.sin(index) * 0.3 : value));
    network.setWeights(weights);
    const states = Float32Array.from({ length: 4 * spec.stateDim }, (_, index) => Math.cos(index * 1.7));
    const items = Float32Array.from({ length: 4 * spec.itemDim }, (_, index) => (index % spec.itemDim === spec.itemDim - 1 ? 77 + index : Math.sin(index * 0.9) * 2));
    const expected = tf.tidy(() => network.pairedQ(tf.tensor2d(states, [4, spec.stateDim]), tf.tensor2d(items, [4, spec.itemDim])).dataSync());
    for (let row = 0; row < 4; row += 1) {
      const state = states.subarray(row * spec.stateDim, (row + 1) * spec.stateDim);
      const item = items.subarray(row * spec.itemDim, (row + 1) * spec.itemDim);
      const explained = explainScore(spec, weights, state, item);
      assert.ok(Math.abs(explained.score - expected[row]) < 1e-4, `score ${explained.score} vs network ${expected[row]}`);
      assert.ok(Math.abs(explained.interaction + explained.itemBias - explained.score) < 1e-9);
      assert.ok(Math.abs(sum(explained.byStateFeature) + explained.stateTowerBias - explained.interaction) < 1e-6, 'state side adds up');
      assert.ok(Math.abs(sum(explained.byItemFeature) + explained.itemEmbeddingBias - explained.interaction) < 1e-6, 'item side adds up');
      assert.ok(Math.abs(sum(explained.itemBiasByFeature) + explained.itemBiasConstant - explained.itemBias) < 1e-9, 'item bias adds up');
      assert.ok(explained.byStateFeature.some((value) => value !== 0));
      // The identity slot carries the item's own row: its interaction and its own bias, both non-zero here.
      assert.ok(explained.byItemFeature[spec.itemDim - 1] !== 0 && explained.itemBiasByFeature[spec.itemDim - 1] !== 0);
    }
    network.dispose();
  });

  it('refuses a state or item of the wrong size', () => {
    const spec = { stateDim: 3, itemDim: 2, hiddenSizes: [2, 2, 2], itemIdBuckets: 0, itemIdDim: 1, seed: 1 };
    const network = new QNetwork(spec, 'explain-size');
    assert.throws(() => explainScore(spec, network.getWeights(), new Float32Array(4), new Float32Array(2)), /3-float state/);
    network.dispose();
  });
});
