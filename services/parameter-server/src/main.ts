/**
 * The parameter server's composition root: one per model. Consumes model.updates.v1 (one partition) as
 * the consumer group "<prefix>parameter-server", publishes model.weights.v1, snapshots to Redis.
 */
import {
  followCatalog,
  groupMembership,
  LiveCatalog,
  codecs,
  ModelControl,
  WeightsHistory,
  RecError,
  runBatchConsumer,
  startServiceRuntime,
  watchConsumerLag,
  verifiedGradients,
  type Kafka,
  type RuntimeOptions,
  type ServiceRuntime,
} from '@rec/shared';
import { initTensorBackend } from '@rec/shared/model';
import { readParameterServerConfig, type ParameterServerConfig } from './config';
export { readParameterServerConfig, type ParameterServerConfig } from './config';
import { ModelSnapshotStore } from './model-snapshot-store';
import { ParameterServer, type VerifiedUpdate } from './parameter-server';
import { ParameterServerMetrics } from './parameter-server-metrics';

export async function startParameterServer(config: ParameterServerConfig, options: RuntimeOptions = {}): Promise<{ runtime: ServiceRuntime; server: ParameterServer }> {
  const runtime = await startServiceRuntime('parameter-server', config.common, options);
  const { logger, kafka, topics, redis, keys } = runtime;
  const backend = await initTensorBackend(logger);
  const metrics = new ParameterServerMetrics(runtime.metrics);
  runtime.metrics.recordTensorBackend(backend);
  const catalog = new LiveCatalog();
  const catalogReader = followCatalog(runtime, catalog);
  await catalogReader.start();
  runtime.onShutdown({ name: 'catalog-reader', run: () => catalogReader.stop() });
  const server = new ParameterServer({
    config,
    catalog,
    snapshots: new ModelSnapshotStore(redis, keys, config.common.modelId),
    history: new WeightsHistory(redis, keys, config.common.modelId),
    control: new ModelControl(redis, keys, config.common.modelId),
    producer: runtime.producer,
    weightsTopic: topics.modelWeights,
    metrics,
    logger,
  });
  const groupId = `${config.common.topicPrefix}parameter-server`;
  // Right after a broker starts, the group coordinator may not be elected yet ("This is not the correct
  // coordinator for this group"): retriable, so start-up retries it until STARTUP_DEADLINE_MS.
  const offsets = await runtime.startupStep('read committed offsets', () => committedOffsets(kafka, groupId, topics.modelUpdates));
  await runtime.startupStep('resume and publish', () => server.start(offsets));
  let publishFailing = false;
  // Ready while the weights it holds are published; a failing timed publish (broker or Redis away) is not ready.
  runtime.addReadiness('weights-published', () => server.lastPublishedVersion >= 0 && !publishFailing);

  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20, ...groupMembership(config.common), maxBytesPerPartition: 32 * 1024 * 1024 });
  const publisher = setInterval(() => {
    server.publishIfBehind().then(
      () => {
        publishFailing = false;
      },
      (error: Error) => {
        publishFailing = true;
        logger.warn({ err: error }, 'timed publish failed');
      },
    );
  }, config.publishIntervalMs);
  // Rollback and import requests (rec rollback, rec import) arrive through Redis.
  const control = setInterval(() => {
    server.applyLoadRequest().catch((error: Error) => logger.warn({ err: error }, 'load request failed; retrying next tick'));
  }, config.controlPollMs);
  runtime.onShutdown({ name: 'control', run: async () => clearInterval(control) });
  runtime.onShutdown({ name: 'updates-consumer', run: () => consumer.disconnect() });
  const lag = watchConsumerLag({ kafka, metrics: runtime.metrics, logger, groupId, topics: [topics.modelUpdates] });
  runtime.onShutdown({ name: 'consumer-lag', run: () => lag.stop() });
  runtime.onShutdown({
    name: 'final-publish',
    run: async () => {
      clearInterval(publisher);
      await server.publishIfBehind();
    },
  });

  const layoutHash = server.online.layoutHash;
  await runtime.startupStep('start the updates consumer', () => runBatchConsumer<VerifiedUpdate>({
    consumer,
    decoders: {
      [topics.modelUpdates]: (bytes) => {
        const update = codecs.modelUpdate.decode(bytes);
        try {
          return { update, gradients: verifiedGradients(update, layoutHash, server.online.layout) };
        } catch (error) {
          metrics.rejected.inc({ reason: error instanceof RecError ? error.reason : 'invalid' });
          throw error;
        }
      },
    },
    handle: (records) => server.applyChunk(records),
    deadLetters: runtime.deadLetters,
    metrics: runtime.metrics,
    logger,
    maxChunk: 64,
    fromBeginning: true,
    health: runtime.consumerHealth,
  }));
  // Read on from where the weights end (the snapshot's offsets), not from the group's commits: updates
  // applied after the last snapshot are applied again, and nothing the snapshot holds is applied twice.
  for (const [partition, offset] of server.resumeOffsets) consumer.seek({ topic: topics.modelUpdates, partition, offset: String(offset) });
  logger.info({ version: server.currentVersion, backend }, 'parameter server running');
  return { runtime, server };
}

/** The group's committed position per partition of the topic, or the earliest offset where it has none. */
async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const earliest = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedOf = new Map(committed.partitions.map(({ partition, offset }) => [partition, Number(offset)]));
    return new Map(earliest.map(({ partition, low }) => [partition, Math.max(committedOf.get(partition) ?? -1, Number(low))]));
  } finally {
    await admin.disconnect();
  }
}

if (require.main === module) {
  startParameterServer(readParameterServerConfig()).catch((error: Error) => {
    console.error(`parameter-server failed to start: ${error.message}`);
    process.exit(1);
  });
}
