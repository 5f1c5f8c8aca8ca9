import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { doubleDqnGradients, doubleDqnTargets } from './double-dqn';
import { POSITION_TERMS, QNetwork, featureNormalizerOf } from './q-network';
import { initTensorBackend, tf } from './tensor-backend';
import type { TrainingBatch } from './training-batch';

/**
 * A 2-d network whose towers are set by hand so every number below can be worked out on paper:
 * online f(s) = s (identity layers, ReLU is a no-op on these positive states), g(a) = a, b(a) = 0,
 * so Q_online(s, a) = s . a. The target network swaps and doubles the state: Q_target(s, a) = 2 * swap(s) . a.
 * Items are two features and the identity slot; these networks have no per-item rows (itemIdBuckets 0)
 * and identity normalisers.
 */
const SPEC = { stateDim: 2, itemDim: 3, hiddenSizes: [2, 2, 2], itemIdBuckets: 0, itemIdDim: 1, seed: 1 };

/** Sets the named parameters (the rest keep their values) through the flat weight vector. */
function setParameters(network: QNetwork, values: Record<string, number[]>): void {
  const flat = network.getWeights();
  let offset = 0;
  for (const { name, shape } of network.layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values[name] !== undefined) flat.set(values[name], offset);
    offset += size;
  }
  network.setWeights(flat);
}

function handSetNetworks(spec = SPEC): { online: QNetwork; target: QNetwork } {
  const identity = [1, 0, 0, 1];
  const towers = {
    'state/dense1/kernel': identity,
    'state/dense1/bias': [0, 0],
    'state/dense2/kernel': identity,
    'state/dense2/bias': [0, 0],
    'state/dense3/bias': [0, 0],
    'item/embedding/kernel': identity,
    'item/embedding/bias': [0, 0],
    'item/bias/kernel': [0, 0],
    'item/bias/bias': [0],
    'position/bias': new Array<number>(POSITION_TERMS).fill(0),
  };
  const online = new QNetwork(spec, 'online');
  setParameters(online, { ...towers, 'state/dense3/kernel': identity });
  const target = new QNetwork(spec, 'target');
  setParameters(target, { ...towers, 'state/dense3/kernel': [0, 2, 2, 0] });
  return { online, target };
}

// Row 1: s = [1, 2], a = [0, 1], r = 1, s' = [3, 1], not done.  Row 2: s = [2, 0], a = [1, 0], r = 5, done.
const batch: TrainingBatch = {
  size: 2,
  states: Float32Array.from([1, 2, 2, 0]),
  items: Float32Array.from([0, 1, 0, 1, 0, 0]),
  rewards: Float32Array.from([1, 5]),
  nextStates: Float32Array.from([3, 1, 0, 0]),
  discounts: Float32Array.from([0.9, 0]),
  weights: Float32Array.from([1, 1]),
  positions: Int32Array.from([0, 3]),
};

/** The gradient of one named parameter, cut out of the flat gradient. */
function gradientOf(network: QNetwork, flat: Float32Array, name: string): Float32Array {
  let offset = 0;
  for (const { name: parameter, shape } of network.layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (parameter === name) return flat.subarray(offset, offset + size);
    offset += size;
  }
  throw new Error(`no parameter ${name}`);
}

describe('Double DQN', () => {
  before(async () => {
    await initTensorBackend();
  });

  it('lets the online network pick a* and the target network value it', () => {
    const { online, target } = handSetNetworks();
    const candidates = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    // Online at s' = [3, 1]: Q(a1) = 3, Q(a2) = 1, so a* = a1. Target values a1 at 2 * swap([3, 1]) . [1, 0] = 2.
    // (Vanilla DQN would take max_a Q_target = 6 instead.) tdTarget = 1 + 0.9 * 2 = 2.8; row 2 is done: 5.
    const tdTarget = doubleDqnTargets(online, target, batch, candidates).arraySync();
    assert.ok(Math.abs(tdTarget[0] - 2.8) < 1e-5, `row 1 target ${tdTarget[0]}`);
    assert.equal(tdTarget[1], 5);
    // gamma 0 is the myopic bandit: every discount is 0 and the target is the reward alone.
    const myopic = { ...batch, discounts: Float32Array.from([0, 0]) };
    assert.deepEqual(Array.from(doubleDqnTargets(online, target, myopic, candidates).dataSync()), [1, 5]);
  });

  it('values the next request as the greedy next slate: the mean target Q of the online top K, position terms included', () => {
    const { online, target } = handSetNetworks();
    const candidates = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    // Online at s' = [3, 1] ranks a1 (3) over a2 (1); the slate of two holds both. Target: a1 -> 2, a2 ->
    // 2 * [1, 3] . [0, 1] = 6; mean 4. tdTarget = 1 + 0.9 * 4 = 4.6 (the single-item max gave 2.8).
    const tdTarget = doubleDqnTargets(online, target, batch, candidates, 2).arraySync();
    assert.ok(Math.abs(tdTarget[0] - 4.6) < 1e-5, `row 1 target ${tdTarget[0]}`);
    assert.equal(tdTarget[1], 5);
    // Position terms of the target network join the slate's value: p(0) = 1, p(1) = 0.5 add 0.75 on average.
    const terms = new Array<number>(POSITION_TERMS).fill(0);
    terms[0] = 1;
    terms[1] = 0.5;
    setParameters(target, { 'position/bias': terms });
    const withPositions = doubleDqnTargets(online, target, batch, candidates, 2).arraySync();
    assert.ok(Math.abs(withPositions[0] - (1 + 0.9 * 4.75)) < 1e-5, `row 1 target with position terms ${withPositions[0]}`);
  });

  it('bootstraps an n-step return with its own discount per sample', () => {
    const { online, target } = handSetNetworks();
    const candidates = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    // Row 1 as a 3-step return with gamma 0.9: r = 1 + 0.9 * 0.5 + 0.81 * 0.2 = 1.612 (the assembler's
    // sum), bootstrapped from s' = [3, 1] with 0.9^3 = 0.729: 1.612 + 0.729 * 2 = 3.07.
    // Row 2 ended inside the horizon: no bootstrap.
    const threeStep = { ...batch, rewards: Float32Array.from([1.612, 5]), discounts: Float32Array.from([0.729, 0]) };
    const tdTarget = doubleDqnTargets(online, target, threeStep, candidates).arraySync();
    assert.ok(Math.abs(tdTarget[0] - 3.07) < 1e-5, `row 1 target ${tdTarget[0]}`);
    assert.equal(tdTarget[1], 5);
  });

  it('computes the Huber loss, its gradient, the TD errors and mean Q by hand', () => {
    const { online, target } = handSetNetworks();
    const candidates = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    const step = doubleDqnGradients(online, target, batch, candidates, { huberDelta: 1, maxGradNorm: 1e9 });
    // Q(s, a): row 1 = [1, 2] . [0, 1] = 2; row 2 = [2, 0] . [1, 0] = 2.
    assert.ok(Math.abs(step.meanQ - 2) < 1e-6);
    // Residuals 0.8 and 3. Huber(0.8) = 0.5 * 0.64 = 0.32; Huber(3) = 3 - 0.5 = 2.5; mean 1.41.
    assert.ok(Math.abs(step.tdLoss - 1.41) < 1e-5, `loss ${step.tdLoss}`);
    assert.ok(Math.abs(step.tdErrors[0] - 0.8) < 1e-5 && Math.abs(step.tdErrors[1] - 3) < 1e-5);
    // dLoss/dQ per row: -0.8 and -1 (clipped at delta), averaged over 2 rows. The item bias's own bias
    // term feeds both rows: -0.9. The position terms feed one row each: p(0) gets -0.4, p(3) gets -0.5.
    const itemBias = gradientOf(online, step.gradients, 'item/bias/bias');
    assert.ok(Math.abs(itemBias[0] + 0.9) < 1e-5, `item bias gradient ${itemBias[0]}`);
    const positionTerms = gradientOf(online, step.gradients, 'position/bias');
    assert.ok(Math.abs(positionTerms[0] + 0.4) < 1e-5 && Math.abs(positionTerms[3] + 0.5) < 1e-5, `position gradients ${positionTerms[0]}, ${positionTerms[3]}`);
    assert.ok(positionTerms.every((value, k) => k === 0 || k === 3 || value === 0));
  });

  it('clips the gradient to the global norm bound', () => {
    const { online, target } = handSetNetworks();
    const candidates = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    const step = doubleDqnGradients(online, target, batch, candidates, { huberDelta: 1, maxGradNorm: 0.5 });
    const norm = Math.sqrt(step.gradients.reduce((sum, value) => sum + value * value, 0));
    assert.ok(step.gradNorm > 0.5, `unclipped norm ${step.gradNorm} should exceed the bound`);
    assert.ok(Math.abs(norm - 0.5) < 1e-4, `clipped norm ${norm}`);
  });

  it('weights a transition by its importance weight', () => {
    const { online, target } = handSetNetworks();
    const candidates = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    const step = doubleDqnGradients(online, target, { ...batch, weights: Float32Array.from([1, 0]) }, candidates, { huberDelta: 1, maxGradNorm: 1e9 });
    assert.ok(Math.abs(step.tdLoss - 0.16) < 1e-5, `only row 1 counts: 0.32 / 2, got ${step.tdLoss}`);
  });

  it('learns per-item rows sparsely: only the rows of the items in the batch get a gradient', () => {
    // Four table rows of width 1; items hash to rows 1 and 2 (identity slots 5 and 6, modulo 4).
    const spec = { ...SPEC, itemIdBuckets: 4, itemIdDim: 1 };
    const { online, target } = handSetNetworks(spec);
    // f(s) gains a third output for the per-item part: zero weights, so Q is unchanged (2 and 2 as above).
    setParameters(online, { 'state/dense3/kernel': [1, 0, 0, 0, 1, 0], 'state/dense3/bias': [0, 0, 0], 'item/id/embedding': [0, 0, 0, 0] });
    setParameters(target, { 'state/dense3/kernel': [0, 2, 0, 2, 0, 0], 'state/dense3/bias': [0, 0, 0], 'item/id/embedding': [0, 0, 0, 0] });
    const withIds = { ...batch, items: Float32Array.from([0, 1, 5, 1, 0, 6]) };
    const candidates = tf.tensor2d([1, 0, 5, 0, 1, 6], [2, 3]);
    const step = doubleDqnGradients(online, target, withIds, candidates, { huberDelta: 1, maxGradNorm: 1e9 });
    assert.ok(Math.abs(step.tdLoss - 1.41) < 1e-5, `same loss as without per-item rows, got ${step.tdLoss}`);
    // Each item's own bias gets its row's dLoss/dQ: -0.4 (row 1) and -0.5 (row 2); rows 0 and 3 nothing.
    const ownBias = gradientOf(online, step.gradients, 'item/id/bias');
    assert.ok(Math.abs(ownBias[1] + 0.4) < 1e-5 && Math.abs(ownBias[2] + 0.5) < 1e-5, `own-bias gradients ${Array.from(ownBias)}`);
    assert.equal(ownBias[0], 0);
    assert.equal(ownBias[3], 0);
    // The normalisers are weights too, but gradients never move them.
    assert.ok(gradientOf(online, step.gradients, 'normalizer/item/mean').every((value) => value === 0));
    assert.ok(gradientOf(online, step.gradients, 'normalizer/state/scale').every((value) => value === 0));
  });

  it('normalises item features by the statistics in the weights', () => {
    const { online } = handSetNetworks();
    const items = tf.tensor2d([0, 1, 0, 1, 0, 0], [2, 3]);
    const states = tf.tensor2d([1, 2], [1, 2]);
    // Features [0, 1] and [1, 0]: mean 0.5 and std 0.5 per feature, so they normalise to [-1, 1] and [1, -1].
    const normalizer = featureNormalizerOf(Float32Array.from([0, 1, 7, 1, 0, 9]), 3);
    assert.deepEqual(Array.from(normalizer.mean), [0.5, 0.5]);
    assert.deepEqual(Array.from(normalizer.scale), [2, 2]);
    online.setNormalizer(normalizer);
    // Q = s . normalised(a) = [1, 2] . [-1, 1] = 1 and [1, 2] . [1, -1] = -1.
    const q = Array.from(online.allPairsQ(states, items).dataSync());
    assert.ok(Math.abs(q[0] - 1) < 1e-5 && Math.abs(q[1] + 1) < 1e-5, `normalised Q ${q}`);
  });
});
