import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AdamParameterOptimizer, QNetwork, doubleDqnGradients, initTensorBackend, tf, type TrainingBatch } from '@rec/shared/model';
import { readLearnerConfig } from './config';

/**
 * With gamma 0 the Q-network regresses each shown item's reward, and the slate is ranked by it, so Q must
 * estimate the mean reward. Rewards here are sparse and lumpy (click 1, add-to-cart 2, purchase 5: an
 * item's reward is 0, 1, 3 or 8), and a Huber threshold below the lumps turns the regression into a
 * trimmed one: every reward more than `delta` above the prediction pulls with the same force, so a rare
 * purchase counts as much as a click. Two items on one state:
 *   rare-and-large:    8 with probability 0.1, else 0   (mean 0.8)
 *   frequent-and-small: 1 with probability 0.5, else 0  (mean 0.5)
 * The mean ranks the first above; Huber at delta 1 settles where 0.9 q = 0.1, q = 0.11, and ranks it below.
 */
const SPEC = { stateDim: 2, itemDim: 3, hiddenSizes: [8, 8, 4], itemIdBuckets: 0, itemIdDim: 1, seed: 7 };
const RARE_AND_LARGE = [1, 0, 0];
const FREQUENT_AND_SMALL = [0, 1, 0];

/** 200 rows of each item with the exact reward frequencies above (deterministic, no sampling noise). */
function rewardBatch(): TrainingBatch {
  const rows = 400;
  const items = new Float32Array(rows * 3);
  const rewards = new Float32Array(rows);
  for (let row = 0; row < rows; row += 1) {
    const rare = row < 200;
    items.set(rare ? RARE_AND_LARGE : FREQUENT_AND_SMALL, row * 3);
    rewards[row] = rare ? (row % 10 === 0 ? 8 : 0) : row % 2 === 0 ? 1 : 0;
  }
  return {
    size: rows,
    states: new Float32Array(rows * 2).fill(1),
    items,
    rewards,
    nextStates: new Float32Array(rows * 2),
    discounts: new Float32Array(rows),
    weights: new Float32Array(rows).fill(1),
    positions: new Int32Array(rows),
  };
}

/** Trains a fresh network on the batch with this Huber threshold; returns Q of the two items. */
function trainedQ(huberDelta: number): { rareAndLarge: number; frequentAndSmall: number } {
  const network = new QNetwork(SPEC, 'reward-regression');
  const optimizer = new AdamParameterOptimizer(network, 0.01);
  const batch = rewardBatch();
  const candidates = tf.tensor2d([RARE_AND_LARGE, FREQUENT_AND_SMALL]);
  for (let step = 0; step < 400; step += 1) {
    optimizer.apply(doubleDqnGradients(network, network, batch, candidates, { huberDelta, maxGradNorm: 10 }).gradients);
  }
  // Q as trained: at position 0, whose position term both items share.
  const q = tf.tidy(() => network.shownQ(tf.tensor2d([[1, 1], [1, 1]]), candidates, Int32Array.from([0, 0])).dataSync());
  candidates.dispose();
  optimizer.dispose();
  network.dispose();
  return { rareAndLarge: q[0], frequentAndSmall: q[1] };
}

describe('the reward regression', () => {
  before(async () => {
    await initTensorBackend();
  });

  it('estimates mean rewards under the default Huber threshold, so a rare purchase outranks frequent clicks', () => {
    const { huberDelta } = readLearnerConfig({});
    const q = trainedQ(huberDelta);
    assert.ok(Math.abs(q.rareAndLarge - 0.8) < 0.1, `Q of the rare-and-large item ${q.rareAndLarge}, mean reward 0.8`);
    assert.ok(Math.abs(q.frequentAndSmall - 0.5) < 0.1, `Q of the frequent-and-small item ${q.frequentAndSmall}, mean reward 0.5`);
    assert.ok(q.rareAndLarge > q.frequentAndSmall);
  });

  it('ranks them the wrong way round with a threshold below the rewards (why the default is not 1)', () => {
    const q = trainedQ(1);
    assert.ok(q.rareAndLarge < q.frequentAndSmall, `Huber at 1: ${q.rareAndLarge} vs ${q.frequentAndSmall}`);
    assert.ok(Math.abs(q.rareAndLarge - 1 / 9) < 0.1, `the trimmed estimate 0.9 q = 0.1: ${q.rareAndLarge}`);
  });
});
