import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { fromLayersModel, itemRowsOf, toLayersModel } from './layers-model-export';
import { loadLayersModel, saveLayersModel } from './layers-model-files';
import { QNetwork } from './q-network';
import { initTensorBackend, tf } from './tensor-backend';

describe('LayersModel export', () => {
  before(async () => {
    await initTensorBackend(undefined, 'cpu');
  });

  it('saves a model that tf.loadLayersModel reads back and that scores exactly as the network', async (t) => {
    // Items: five dense features and the identity slot; eight per-item rows of width 3; a normaliser that is not the identity.
    const spec = { stateDim: 10, itemDim: 6, hiddenSizes: [12, 8, 4], itemIdBuckets: 8, itemIdDim: 3, seed: 5 };
    const network = new QNetwork(spec, 'export');
    network.setNormalizer({ mean: Float32Array.from([0.5, -1, 2, 0, 3]), scale: Float32Array.from([2, 0.5, 1, 4, 0.1]) });
    const weights = network.getWeights().map((value, index) => value + Math.sin(index) * 0.05);
    network.setWeights(weights);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-export-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    await saveLayersModel(toLayersModel(spec, weights, 42, network.layoutHash), dir);
    assert.ok(fs.existsSync(path.join(dir, 'model.json')) && fs.existsSync(path.join(dir, 'weights.bin')));

    const loaded = await loadLayersModel(dir);
    const states = tf.randomNormal([5, spec.stateDim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const itemValues = tf.randomNormal([5, spec.itemDim], 0, 1, 'float32', 2).dataSync() as Float32Array;
    for (let row = 0; row < 5; row += 1) itemValues[row * spec.itemDim + spec.itemDim - 1] = 1000 + 3 * row; // identity hashes
    const items = tf.tensor2d(itemValues, [5, spec.itemDim]);
    const rows = tf.tensor2d(itemRowsOf(spec, itemValues), [5, 1]);
    const exported = (loaded.predict([states, items, rows]) as tf.Tensor).dataSync();
    const own = network.pairedQ(states, items).dataSync();
    for (let row = 0; row < 5; row += 1) assert.ok(Math.abs(exported[row] - own[row]) < 1e-5, `row ${row}: ${exported[row]} vs ${own[row]}`);
    assert.equal((loaded.getUserDefinedMetadata() as { rec: { version: number } }).rec.version, 42);

    // And back: the import gives the very weights exported, position terms included.
    const again = fromLayersModel(network, loaded);
    assert.deepEqual(Array.from(again), Array.from(weights));
    network.dispose();
  });

  it('refuses a model of another shape', async () => {
    const small = new QNetwork({ stateDim: 10, itemDim: 6, hiddenSizes: [4, 4, 2], itemIdBuckets: 8, itemIdDim: 2, seed: 1 }, 'export-small');
    const big = new QNetwork({ stateDim: 10, itemDim: 6, hiddenSizes: [12, 8, 4], itemIdBuckets: 8, itemIdDim: 2, seed: 1 }, 'export-big');
    const model = toLayersModel(small.spec, small.getWeights(), null, small.layoutHash);
    assert.throws(() => fromLayersModel(big, model), /another MODEL_HIDDEN_SIZES/);
    small.dispose();
    big.dispose();
  });
});
