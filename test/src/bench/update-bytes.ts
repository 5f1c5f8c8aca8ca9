/**
 * Bytes on the wire per gradient update and per weights publish, for the default model with and without
 * the per-item table, and for the update dense or row-sparse (design decision 9).
 *
 *   node test/dist/bench/update-bytes.js [--quick]      -> <results>/update-bytes.json
 *
 * One Double-DQN gradient on a batch of 256 transitions whose items are drawn from a 1,000-item catalog
 * (the simulator's default), encoded with the ModelUpdate codec as the learner sends it; one weights
 * record encoded with the ModelWeights codec as the parameter server publishes it. Sizes are exact
 * (encoded bytes), so --quick measures the same; there is no ceiling to compare with, only before/after.
 */
import { randomUUID } from 'node:crypto';
import { ITEM_DIM, STATE_DIM, buildWeightsRecord, checksumOf, codecs, encodeItem, floatsToBytes, packRowSparse, readModelShapeConfig, type GradientEncoding } from '@rec/shared';
import { QNetwork, doubleDqnGradients, initTensorBackend, tf, type TrainingBatch } from '@rec/shared/model';
import { readBenchOptions } from './bench-options';
import { printTable, runConditions, writeResults } from './bench-report';

const BATCH = 256;
const CATALOG = 1_000;

function randomBatch(random: () => number, itemVectors: Float32Array): TrainingBatch {
  const items = new Float32Array(BATCH * ITEM_DIM);
  for (let row = 0; row < BATCH; row += 1) {
    const item = Math.floor(random() * CATALOG);
    items.set(itemVectors.subarray(item * ITEM_DIM, (item + 1) * ITEM_DIM), row * ITEM_DIM);
  }
  return {
    size: BATCH,
    states: Float32Array.from({ length: BATCH * STATE_DIM }, () => random()),
    items,
    rewards: Float32Array.from({ length: BATCH }, () => (random() < 0.1 ? 1 : 0)),
    nextStates: Float32Array.from({ length: BATCH * STATE_DIM }, () => random()),
    discounts: new Float32Array(BATCH).fill(0.9),
    weights: new Float32Array(BATCH).fill(1),
    positions: Int32Array.from({ length: BATCH }, (_, index) => index % 10),
  };
}

async function main(): Promise<void> {
  const options = readBenchOptions();
  await initTensorBackend();
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const itemVectors = new Float32Array(CATALOG * ITEM_DIM);
  for (let item = 0; item < CATALOG; item += 1) {
    encodeItem({ itemId: `item-${item}`, category: `c${item % 24}`, price: 10 + item, features: Array.from({ length: 16 }, () => random()), available: true, updatedAt: 1 }, itemVectors, item * ITEM_DIM);
  }
  const candidates = tf.tensor2d(itemVectors, [CATALOG, ITEM_DIM]);
  const rows: Record<string, unknown>[] = [];
  for (const buckets of [0, readModelShapeConfig({}).itemIdBuckets]) {
    const spec = readModelShapeConfig({ MODEL_ITEM_ID_BUCKETS: String(buckets) });
    const online = new QNetwork(spec, 'bytes-online');
    const target = new QNetwork(spec, 'bytes-target');
    const step = doubleDqnGradients(online, target, randomBatch(random, itemVectors), candidates, { huberDelta: 1, maxGradNorm: 10, bootstrapSlateSize: 10 });
    const encodings: GradientEncoding[] = buckets === 0 ? ['DENSE'] : ['DENSE', 'SPARSE_ROWS'];
    const weightsBytes = codecs.modelWeights.encode(buildWeightsRecord({ modelId: 'ddqn', role: 'ONLINE', version: 1, layoutHash: online.layoutHash, values: online.getWeights(), newestSampleTimestamp: null })).length;
    for (const encoding of encodings) {
      const payload = Buffer.from(floatsToBytes(encoding === 'SPARSE_ROWS' ? packRowSparse(step.gradients, online.layout) : step.gradients));
      const updateBytes = codecs.modelUpdate
        .encode({ updateId: randomUUID(), modelId: 'ddqn', learnerId: 'bench', baseVersion: 1, layoutHash: online.layoutHash, gradients: payload, checksum: checksumOf(payload), batchSize: BATCH, tdLoss: step.tdLoss, meanQ: step.meanQ, newestSampleTimestamp: null, timestamp: Date.now(), gradientEncoding: encoding, sequence: 0 })
        .length;
      rows.push({ model: buckets === 0 ? 'features only (before)' : `+ per-item table ${buckets} rows`, parameters: online.size, update: encoding, updateBytes, publishBytes: weightsBytes });
    }
    online.dispose();
    target.dispose();
  }
  printTable('bytes per gradient update and per weights publish (batch 256, 1,000-item catalog)', rows, ['model', 'parameters', 'update', 'updateBytes', 'publishBytes']);
  const file = writeResults(options, 'update-bytes', { ...runConditions(options), rows });
  console.log(`written: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
