/**
 * The learner benchmark's ceiling: the learner's training step with nothing around it. The default
 * model, `doubleDqnGradients` on random batches against a random catalog's item features (the argmax over
 * a'), then `AdamParameterOptimizer.apply` of the flat gradient (what the parameter server does with it),
 * in one process, no Kafka, no Redis. Hyperparameters are the services' defaults.
 *
 *   node test/dist/bench/bare-training-loop.js [--backend=cpu] [--batch=256] [--catalog=1000] [--item-id-buckets=4096] [--window-ms=5000] [--windows=3]
 * prints one line `BARE_LOOP_RESULT {json}`.
 */
import { ENCODER_VERSION, ITEM_DIM, STATE_DIM, encodeItem, readModelShapeConfig, seededRandom } from '@rec/shared';
import { AdamParameterOptimizer, QNetwork, doubleDqnGradients, initTensorBackend, tf, type TrainingBatch } from '@rec/shared/model';
import { readLearnerConfig } from '@rec/learner';
import { readParameterServerConfig } from '@rec/parameter-server';
import { benchCatalog } from './bench-catalog';
import { median } from './bench-stats';

export interface BareLoopOptions {
  /** Forces a tensor backend (TENSOR_BACKEND names); default: the preference order. */
  backend?: string;
  batchSize: number;
  catalogSize: number;
  /** Rows of the per-item table (MODEL_ITEM_ID_BUCKETS); default: the services' default. */
  itemIdBuckets?: number;
  windowMs: number;
  windows: number;
  /** Steps run before timing (JIT, kernel warm-up). */
  warmupSteps?: number;
}

export interface BareLoopResult {
  backend: string;
  batchSize: number;
  encoderVersion: number;
  /** Median over windows. */
  samplesPerSec: number;
  windowSamplesPerSec: number[];
  /** Median time of one gradient step plus its Adam apply, ms. */
  stepMs: number;
}

/** Random transitions as a training batch (one in ten done). */
export function randomBatch(size: number, itemVectors: Float32Array, items: number, gamma: number, random: () => number): TrainingBatch {
  const fill = (length: number) => Float32Array.from({ length }, () => random() * 2 - 1);
  const chosen = new Float32Array(size * ITEM_DIM);
  for (let row = 0; row < size; row += 1) {
    const item = Math.floor(random() * items);
    chosen.set(itemVectors.subarray(item * ITEM_DIM, (item + 1) * ITEM_DIM), row * ITEM_DIM);
  }
  return {
    size,
    states: fill(size * STATE_DIM),
    items: chosen,
    rewards: Float32Array.from({ length: size }, () => (random() < 0.1 ? 1 : 0)),
    nextStates: fill(size * STATE_DIM),
    discounts: Float32Array.from({ length: size }, () => (random() < 0.1 ? 0 : gamma)),
    weights: new Float32Array(size).fill(1),
    positions: Int32Array.from({ length: size }, () => Math.floor(random() * 10)),
  };
}

export async function runBareTrainingLoop(options: BareLoopOptions): Promise<BareLoopResult> {
  const backend = await initTensorBackend(undefined, options.backend);
  const learner = readLearnerConfig({});
  const server = readParameterServerConfig({});
  const shape = readModelShapeConfig(options.itemIdBuckets === undefined ? {} : { MODEL_ITEM_ID_BUCKETS: String(options.itemIdBuckets) });
  const online = new QNetwork(shape, 'bare-online');
  const target = new QNetwork(shape, 'bare-target');
  target.copyFrom(online);
  const optimizer = new AdamParameterOptimizer(online, server.learningRate);
  const catalog = benchCatalog(options.catalogSize);
  const vectors = new Float32Array(catalog.length * ITEM_DIM);
  catalog.forEach((item, row) => encodeItem(item, vectors, row * ITEM_DIM));
  const candidates = tf.tensor2d(vectors, [catalog.length, ITEM_DIM]);
  const random = seededRandom(5);
  // A pool of batches, cycled: the ceiling times training, not random number generation.
  const pool = Array.from({ length: 8 }, () => randomBatch(options.batchSize, vectors, catalog.length, learner.gamma, random));
  const hyper = { huberDelta: learner.huberDelta, maxGradNorm: learner.maxGradNorm };
  let step = 0;
  const trainStep = () => {
    const result = doubleDqnGradients(online, target, pool[step % pool.length], candidates, hyper);
    optimizer.apply(result.gradients);
    step += 1;
  };
  for (let warm = 0; warm < (options.warmupSteps ?? 3); warm += 1) trainStep();
  const windowRates: number[] = [];
  const stepTimes: number[] = [];
  for (let window = 0; window < options.windows; window += 1) {
    const started = performance.now();
    let samples = 0;
    while (performance.now() - started < options.windowMs) {
      const stepStarted = performance.now();
      trainStep();
      stepTimes.push(performance.now() - stepStarted);
      samples += options.batchSize;
    }
    windowRates.push((samples / (performance.now() - started)) * 1000);
  }
  candidates.dispose();
  online.dispose();
  target.dispose();
  return { backend, batchSize: options.batchSize, encoderVersion: ENCODER_VERSION, samplesPerSec: median(windowRates), windowSamplesPerSec: windowRates, stepMs: median(stepTimes) };
}

export const BARE_LOOP_MARKER = 'BARE_LOOP_RESULT ';

if (require.main === module) {
  const arg = (name: string, fallback: string) => process.argv.find((value) => value.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
  runBareTrainingLoop({
    backend: process.argv.some((value) => value.startsWith('--backend=')) ? arg('backend', '') : undefined,
    batchSize: Number(arg('batch', '256')),
    catalogSize: Number(arg('catalog', '1000')),
    itemIdBuckets: process.argv.some((value) => value.startsWith('--item-id-buckets=')) ? Number(arg('item-id-buckets', '')) : undefined,
    windowMs: Number(arg('window-ms', '5000')),
    windows: Number(arg('windows', '3')),
  }).then(
    (result) => console.log(`${BARE_LOOP_MARKER}${JSON.stringify(result)}`),
    (error: Error) => {
      console.error(`bare training loop failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
