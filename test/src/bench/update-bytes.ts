/**
 * Bytes on the wire per gradient update and per weights publish, for the default model with and without
 * the per-item table, for the update dense or row-sparse, and for the publish whole or as deltas
 * (design decision 9).
 *
 *   node test/dist/bench/update-bytes.js [--quick]      -> <results>/update-bytes.json
 *
 * One Double-DQN gradient on a batch of 256 transitions whose items are drawn from a 1,000-item catalog
 * (the simulator's default), encoded with the ModelUpdate codec as the learner sends it; one weights
 * record encoded with the ModelWeights codec as the parameter server publishes it. Then a run of
 * publishes as the parameter server makes them with its defaults: PS_PUBLISH_EVERY_UPDATES Adam steps
 * (PS_LEARNING_RATE) per publish, each publish encoded by WeightsPublishEncoder with
 * PS_WEIGHTS_FULL_EVERY, over two full cycles; per publish its kind, the table rows a delta carries and
 * the record's bytes, and the mean bytes per publish. Beside it, what a record would weigh carrying
 * the table's rows that differ from the deterministic initialisation instead (the alternative scheme).
 * Full: catalogs of 1,000 and 10,000 items; --quick: 1,000 items and fewer steps. Sizes are exact
 * (encoded bytes); there is no ceiling to compare with, only before/after.
 */
import { randomUUID } from 'node:crypto';
import { readParameterServerConfig } from '@rec/parameter-server';
import {
  ITEM_DIM,
  STATE_DIM,
  WeightsPublishEncoder,
  buildWeightsDelta,
  buildWeightsRecord,
  checksumOf,
  codecs,
  deltaRowCount,
  encodeItem,
  floatsToBytes,
  packRowSparse,
  readModelShapeConfig,
  type GradientEncoding,
} from '@rec/shared';
import { AdamParameterOptimizer, QNetwork, doubleDqnGradients, initTensorBackend, tf, type TrainingBatch } from '@rec/shared/model';
import { readBenchOptions } from './bench-options';
import { printTable, runConditions, writeResults } from './bench-report';

const BATCH = 256;
const CATALOG = 1_000;

function randomBatch(random: () => number, itemVectors: Float32Array, catalog = CATALOG): TrainingBatch {
  const items = new Float32Array(BATCH * ITEM_DIM);
  for (let row = 0; row < BATCH; row += 1) {
    const item = Math.floor(random() * catalog);
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
  candidates.dispose();

  const server = readParameterServerConfig({});
  const plan = { fullEvery: server.weightsFullEvery, updatesPerPublish: options.quick ? 3 : server.publishEveryUpdates, publishes: 2 * server.weightsFullEvery, learningRate: server.learningRate };
  const runs: Record<string, unknown>[] = [];
  const summaries: Record<string, unknown>[] = [];
  for (const catalog of options.quick ? [CATALOG] : [CATALOG, 10 * CATALOG]) {
    const run = publishRun(random, catalog, plan);
    runs.push(...run.publishes);
    summaries.push(run.summary);
  }
  printTable(`each publish of a run: ${plan.updatesPerPublish} Adam steps per publish, full every ${plan.fullEvery} (PS_WEIGHTS_FULL_EVERY)`, runs, ['catalog', 'publish', 'kind', 'baseVersion', 'changedRows', 'bytes', 'rowsOffInit', 'bytesOffInit']);
  printTable(`mean bytes per publish over ${plan.publishes} publishes (two full cycles)`, summaries, ['catalog', 'fullBytes', 'meanDeltaBytes', 'meanPublishBytes', 'ratioToFull', 'meanBytesOffInit']);
  const file = writeResults(options, 'update-bytes', { ...runConditions(options, { plan }), rows, publishes: runs, summaries });
  console.log(`written: ${file}`);
}

/**
 * The parameter server's publishes over a run, with its defaults: Adam on gradients of random batches from
 * a catalog of `catalog` items, a publish every `updatesPerPublish` steps, encoded by WeightsPublishEncoder.
 */
function publishRun(random: () => number, catalog: number, plan: { fullEvery: number; updatesPerPublish: number; publishes: number; learningRate: number }) {
  const itemVectors = new Float32Array(catalog * ITEM_DIM);
  for (let item = 0; item < catalog; item += 1) {
    encodeItem({ itemId: `item-${item}`, category: `c${item % 24}`, price: 10 + item, features: Array.from({ length: 16 }, () => random()), available: true, updatedAt: 1 }, itemVectors, item * ITEM_DIM);
  }
  const candidates = tf.tensor2d(itemVectors.subarray(0, CATALOG * ITEM_DIM), [CATALOG, ITEM_DIM]);
  const spec = readModelShapeConfig({});
  const online = new QNetwork(spec, `run-online-${catalog}`);
  const target = new QNetwork(spec, `run-target-${catalog}`);
  const optimizer = new AdamParameterOptimizer(online, plan.learningRate);
  const encoder = new WeightsPublishEncoder(online.layout, plan.fullEvery);
  const initial = online.getWeights();
  const publishes: Record<string, unknown>[] = [];
  let version = 0;
  for (let publish = 0; publish < plan.publishes; publish += 1) {
    if (publish > 0) {
      for (let step = 0; step < plan.updatesPerPublish; step += 1) {
        optimizer.apply(doubleDqnGradients(online, target, randomBatch(random, itemVectors, catalog), candidates, { huberDelta: 10, maxGradNorm: 10, bootstrapSlateSize: 10 }).gradients);
        version += 1;
      }
    }
    const values = online.getWeights();
    const encoded = encoder.encode({ modelId: 'ddqn', role: 'ONLINE', version, layoutHash: online.layoutHash, values, newestSampleTimestamp: null, learnerProgress: { 'learner-1': version } });
    encoded.sent();
    // The alternative: the table's rows that differ from the seeded initialisation, every record self-contained.
    const offInit = buildWeightsDelta(initial, values, online.layout);
    const offInitBytes = Buffer.from(floatsToBytes(offInit));
    const bytesOffInit = codecs.modelWeightsDelta.encode({
      modelId: 'ddqn', role: 'ONLINE', version, layoutHash: online.layoutHash, values: offInitBytes, checksum: checksumOf(offInitBytes), newestSampleTimestamp: null, publishedAt: Date.now(),
      learnerProgress: { 'learner-1': version }, baseVersion: 0, baseChecksum: 0, weightsChecksum: checksumOf(floatsToBytes(values)),
    }).length;
    publishes.push({ catalog, publish, version, kind: encoded.kind, baseVersion: encoded.baseVersion ?? '', changedRows: encoded.changedRows ?? '', bytes: encoded.value.length, rowsOffInit: deltaRowCount(offInit, online.layout), bytesOffInit });
  }
  online.dispose();
  target.dispose();
  optimizer.dispose();
  candidates.dispose();
  const bytes = publishes.map((row) => row.bytes as number);
  const deltas = publishes.filter((row) => row.kind === 'delta').map((row) => row.bytes as number);
  const mean = (values: number[]) => (values.length === 0 ? 0 : Math.round(values.reduce((a, b) => a + b, 0) / values.length));
  const fullBytes = publishes.find((row) => row.kind === 'full')!.bytes as number;
  return {
    publishes,
    summary: {
      catalog,
      fullBytes,
      meanDeltaBytes: mean(deltas),
      meanPublishBytes: mean(bytes),
      ratioToFull: Math.round((mean(bytes) / fullBytes) * 1000) / 1000,
      meanBytesOffInit: mean(publishes.map((row) => row.bytesOffInit as number)),
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
