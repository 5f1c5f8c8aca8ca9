/**
 * The joiner's composition root: consumes rec.actions.v1 and rec.feedback.v1 (co-partitioned by userId)
 * as the consumer group "<prefix>joiner", keeps pending requests in Redis and emits rec.transitions.v1.
 */
import {
  groupMembership,
  startsFromBeginning,
  HISTORY_LENGTH,
  LiveCatalog,
  PopularityStore,
  UserHistoryStore,
  RequestStateStore,
  codecs,
  followCatalog,
  runBatchConsumer,
  startServiceRuntime,
  watchConsumerLag,
  validateAction,
  validateFeedback,
  type RecommendationAction,
  type RuntimeOptions,
  type ServiceRuntime,
  type UserFeedback,
} from '@rec/shared';
import { readJoinerConfig, type JoinerConfig } from './config';
export { readJoinerConfig, type JoinerConfig } from './config';
export { PendingRequestStore, type FeedbackFold, type RecordedAction, type ServedRequest, type SuccessorLink } from './pending-request-store';
export { JoinerMetrics } from './joiner-metrics';
export { RewardJoiner, type FinalSweepOutcome, type RewardJoinerDeps } from './reward-joiner';
export { SweepFailure, type SweepPhase } from './sweep-watch';
import { JoinerMetrics } from './joiner-metrics';
import { PendingRequestStore } from './pending-request-store';
import { RewardJoiner } from './reward-joiner';

const HISTORY_TTL_MS = 30 * 24 * 3_600_000;

export async function startJoiner(config: JoinerConfig, options: RuntimeOptions = {}): Promise<ServiceRuntime> {
  const runtime = await startServiceRuntime('joiner', config.common, options);
  const { logger, kafka, redis, keys, topics } = runtime;
  const catalog = new LiveCatalog();
  const catalogReader = followCatalog(runtime, catalog);
  const ttlMs = config.pendingTtlMs;
  const joiner = new RewardJoiner({
    config,
    pending: new PendingRequestStore(redis, keys, { ttlMs, rewardWaitMs: config.rewardWaitMs, dedupTtlMs: config.dedupTtlMs, historyLength: HISTORY_LENGTH, historyTtlMs: HISTORY_TTL_MS }),
    requestStates: new RequestStateStore(redis, keys, ttlMs),
    popularity: new PopularityStore(redis, keys),
    histories: new UserHistoryStore(redis, keys),
    catalog,
    producer: runtime.producer,
    feedbackTopic: topics.feedback,
    transitionsTopic: topics.transitions,
    metrics: new JoinerMetrics(runtime.metrics),
    logger,
  });

  await runtime.startupStep('follow the catalog', () => catalogReader.start());
  await catalogReader.caughtUp;
  runtime.addReadiness('catalog', () => catalogReader.ready);

  const consumer = kafka.consumer({ groupId: `${config.common.topicPrefix}joiner`, maxWaitTimeInMs: 50, ...groupMembership(config.common) });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = payload.memberAssignment[topics.actions] ?? [];
    joiner.setOwnedPartitions(partitions);
    logger.info({ partitions }, 'owning transitions partitions');
  });
  const sweeper = setInterval(() => {
    // A failed sweep is counted (rec_joiner_sweep_failures_total) and logged by the joiner's sweep watch.
    joiner.sweep().catch(() => undefined);
  }, config.sweepIntervalMs);
  runtime.addReadiness('sweep', () => joiner.sweepReady());

  runtime.onShutdown({
    name: 'final sweep',
    run: async () => {
      clearInterval(sweeper);
      // Before the consumer leaves the group: while this joiner still owns its partitions, no other
      // joiner sweeps the same due queues, so the last sweep cannot race a new owner's first one.
      // Half the drain's bound, so the producer's flush and the rest still fit in it: what the final sweep
      // leaves stays pending in Redis, and the partitions' next owner emits it.
      const budgetMs = Math.floor(config.common.shutdownTimeoutMs / 2);
      const outcome = await joiner.finalSweep(budgetMs);
      if (outcome !== 'done') logger.warn({ outcome, budgetMs }, 'final sweep did not finish; due requests stay pending for the next owner');
    },
  });
  runtime.onShutdown({ name: 'consumer', run: () => consumer.disconnect() });
  const lag = watchConsumerLag({ kafka, metrics: runtime.metrics, logger, groupId: `${config.common.topicPrefix}joiner`, topics: [topics.actions, topics.feedback] });
  runtime.onShutdown({ name: 'consumer-lag', run: () => lag.stop() });
  runtime.onShutdown({ name: 'catalog-reader', run: () => catalogReader.stop() });

  await runtime.startupStep('start the actions and feedback consumer', () => runBatchConsumer<RecommendationAction | UserFeedback>({
    consumer,
    decoders: {
      [topics.actions]: (bytes) => validateAction(codecs.action.decode(bytes)),
      [topics.feedback]: (bytes) => validateFeedback(codecs.feedback.decode(bytes)),
    },
    handle: (records) => joiner.handle(records),
    deadLetters: runtime.deadLetters,
    metrics: runtime.metrics,
    logger,
    maxChunk: 1_000,
    partitionsConcurrently: config.partitionsConcurrently,
    fromBeginning: startsFromBeginning(config.common, 'earliest'),
    health: runtime.consumerHealth,
  }));
  logger.info({ rewardWaitMs: config.rewardWaitMs, joinWaitMs: config.joinWaitMs, sessionTimeoutMs: config.sessionTimeoutMs }, 'joiner running');
  return runtime;
}

if (require.main === module) {
  startJoiner(readJoinerConfig()).catch((error: Error) => {
    console.error(`joiner failed to start: ${error.message}`);
    process.exit(1);
  });
}
