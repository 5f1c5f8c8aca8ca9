import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { itemIdRow } from '../state/item-encoder';
import { QNetwork } from './q-network';
import { initTensorBackend, tf } from './tensor-backend';

describe('Q-network per-item rows', () => {
  before(async () => {
    await initTensorBackend(undefined, 'cpu');
  });

  it("reads each item's row from its identity slot, leaving no tensor behind outside a tidy", () => {
    const network = new QNetwork({ stateDim: 2, itemDim: 3, hiddenSizes: [2, 2, 2], itemIdBuckets: 8, itemIdDim: 2, seed: 1 }, 'rows');
    const items = tf.tensor2d([0.5, 1, 8, -1, 0.3, 9, 0, 0, 16_777_215], [3, 3]);
    const before = tf.memory().numTensors;
    const rows = network.itemRows(items);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(Array.from(rows), [0, 1, 7]);
    assert.deepEqual([8, 9, 16_777_215].map((identity) => itemIdRow(identity, 8)), [0, 1, 7]);
    items.dispose();
    network.dispose();
  });
});
