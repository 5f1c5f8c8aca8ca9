/**
 * The learner's composition root: consumes rec.transitions.v1 as the consumer group "<prefix>learner"
 * (scale by adding processes), follows the catalog and the broadcast weights, and trains.
 */
import {
  groupMembership,
  startsFromBeginning,
  LiveCatalog,
  WeightsSubscriber,
  codecs,
  followCatalog,
  runBatchConsumer,
  seededRandom,
  startServiceRuntime,
  watchConsumerLag,
  type RuntimeOptions,
  type ServiceRuntime,
  type Transition,
} from '@rec/shared';
import { QNetwork, initTensorBackend } from '@rec/shared/model';
import { readLearnerConfig, type LearnerConfig } from './config';
export { readLearnerConfig, type LearnerConfig } from './config';
import { DoubleDqnLearner } from './double-dqn-learner';
import { LearnerMetrics } from './learner-metrics';
import { NStepAssembler } from './n-step-assembler';
import { OwnUpdateLookahead } from './own-update-lookahead';
import { ReplayBuffer } from './replay-buffer';
import { SamplesPerInsertLimiter } from './samples-per-insert-limiter';
import { validateTransition } from './transition-validation';

export async function startLearner(config: LearnerConfig, options: RuntimeOptions = {}): Promise<{ runtime: ServiceRuntime; learner: DoubleDqnLearner }> {
  const runtime = await startServiceRuntime('learner', config.common, options);
  const { logger, kafka, topics } = runtime;
  const backend = await initTensorBackend(logger);
  const metrics = new LearnerMetrics(runtime.metrics, backend);
  const random = seededRandom(config.seed ^ process.pid);

  const catalog = new LiveCatalog();
  const catalogReader = followCatalog(runtime, catalog);
  const online = new QNetwork(config.model, 'learner-online');
  const target = new QNetwork(config.model, 'learner-target');
  const learner = new DoubleDqnLearner({
    config,
    online,
    target,
    replay: new ReplayBuffer(config.replayCapacity, { prioritized: config.prioritized, alpha: config.priorityAlpha, beta: config.priorityBeta, random }),
    returns: new NStepAssembler({ steps: config.nStep, gamma: config.gamma, maxWaitMs: config.nStepMaxWaitMs, maxHeld: config.nStepMaxHeld }),
    limiter: new SamplesPerInsertLimiter(config.maxSamplesPerInsert),
    catalog,
    producer: runtime.producer,
    updatesTopic: topics.modelUpdates,
    learnerId: runtime.instanceId,
    metrics,
    logger,
    random,
    lookahead: config.lookahead ? new OwnUpdateLookahead(online, config.learningRate, config.maxUpdatesPerWeights) : null,
  });
  const weights = new WeightsSubscriber(runtime, {
    layoutHash: online.layoutHash,
    layout: online.layout,
    roles: ['ONLINE', 'TARGET'],
    onWeights: (received) => learner.adoptWeights(received),
  });

  await runtime.startupStep('follow the catalog', () => catalogReader.start());
  await runtime.startupStep('follow the weights', () => weights.start());
  await catalogReader.caughtUp;
  runtime.addReadiness('catalog', () => catalogReader.ready);
  runtime.addReadiness('weights', () => learner.weightsVersion >= 0);

  const consumer = kafka.consumer({ groupId: `${config.common.topicPrefix}learner`, maxWaitTimeInMs: 100, ...groupMembership(config.common), maxBytesPerPartition: 8 * 1024 * 1024 });
  runtime.onShutdown({ name: 'train-loop', run: () => learner.stop() });
  runtime.onShutdown({ name: 'transitions-consumer', run: () => consumer.disconnect() });
  const lag = watchConsumerLag({ kafka, metrics: runtime.metrics, logger, groupId: `${config.common.topicPrefix}learner`, topics: [topics.transitions] });
  runtime.onShutdown({ name: 'consumer-lag', run: () => lag.stop() });
  runtime.onShutdown({ name: 'weights-subscriber', run: () => weights.stop() });
  runtime.onShutdown({ name: 'catalog-reader', run: () => catalogReader.stop() });

  await runtime.startupStep('start the transitions consumer', () => runBatchConsumer<Transition>({
    consumer,
    decoders: { [topics.transitions]: (bytes) => validateTransition(codecs.transition.decode(bytes)) },
    handle: (records) => learner.insert(records),
    deadLetters: runtime.deadLetters,
    metrics: runtime.metrics,
    logger,
    maxChunk: 2_000,
    fromBeginning: startsFromBeginning(config.common, 'earliest'),
    health: runtime.consumerHealth,
  }));
  learner.start();
  logger.info({ backend, lookahead: config.lookahead, batchSize: config.batchSize, gamma: config.gamma, nStep: config.nStep, replayCapacity: config.replayCapacity, prioritized: config.prioritized }, 'learner running');
  return { runtime, learner };
}

if (require.main === module) {
  startLearner(readLearnerConfig()).catch((error: Error) => {
    console.error(`learner failed to start: ${error.message}`);
    process.exit(1);
  });
}
