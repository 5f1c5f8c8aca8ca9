/**
 * The parameter server's composition root: one per model. Consumes model.updates.v1 (one partition) as
 * the consumer group "<prefix>parameter-server", publishes model.weights.v1, snapshots to Redis.
 */
import {
  codecs,
  RecError,
  runBatchConsumer,
  startServiceRuntime,
  verifiedGradients,
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
  runtime.metrics.gauge('tensor_backend_info', 'The tensor backend in use (label), always 1', ['backend']).set({ backend }, 1);
  const server = new ParameterServer({
    config,
    snapshots: new ModelSnapshotStore(redis, keys, config.common.modelId),
    producer: runtime.producer,
    weightsTopic: topics.modelWeights,
    metrics,
    logger,
  });
  await server.start();
  runtime.addReadiness('weights-published', () => true);

  const consumer = kafka.consumer({ groupId: `${config.common.topicPrefix}parameter-server`, maxWaitTimeInMs: 20, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 32 * 1024 * 1024 });
  const publisher = setInterval(() => {
    server.publishIfBehind().catch((error: Error) => logger.warn({ err: error }, 'timed publish failed'));
  }, config.publishIntervalMs);
  runtime.onShutdown({ name: 'updates-consumer', run: () => consumer.disconnect() });
  runtime.onShutdown({
    name: 'final-publish',
    run: async () => {
      clearInterval(publisher);
      await server.publishIfBehind();
    },
  });

  const layoutHash = server.online.layoutHash;
  await runBatchConsumer<VerifiedUpdate>({
    consumer,
    decoders: {
      [topics.modelUpdates]: (bytes) => {
        const update = codecs.modelUpdate.decode(bytes);
        try {
          return { update, gradients: verifiedGradients(update, layoutHash) };
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
  });
  logger.info({ version: server.currentVersion, backend }, 'parameter server running');
  return { runtime, server };
}

if (require.main === module) {
  startParameterServer(readParameterServerConfig()).catch((error: Error) => {
    console.error(`parameter-server failed to start: ${error.message}`);
    process.exit(1);
  });
}
