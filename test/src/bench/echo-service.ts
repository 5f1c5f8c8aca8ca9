/**
 * The actor benchmark's ceiling: a no-op service that consumes rec.requests.v1 and answers each request
 * with a fixed-size RecommendationAction, through exactly the actor's plumbing (startServiceRuntime's
 * Kafka client and BatchingProducer, runBatchConsumer with the actor's consumer settings and micro-batch,
 * the same Avro codecs and request validation) but with no model, no Redis and no slate logic. What the
 * actor reaches relative to this is the share of the plumbing's capacity its own work leaves.
 *
 *   node test/dist/bench/echo-service.js    (env: as the actor: KAFKA_BROKERS, TOPIC_PREFIX, METRICS_PORT,
 *                                            ECHO_SLATE_SIZE default 10, ECHO_MAX_BATCH default 256)
 */
import {
  codecs,
  intIn,
  readCommonConfig,
  readEnv,
  runBatchConsumer,
  startServiceRuntime,
  validateRequest,
  type CommonConfig,
  type ConsumedRecord,
  type RecommendationRequest,
  type RecommendedItem,
  type RuntimeOptions,
  type ServiceRuntime,
} from '@rec/shared';

export interface EchoConfig {
  common: CommonConfig;
  /** Items in every echoed slate (ECHO_SLATE_SIZE). */
  slateSize: number;
  /** Most requests per chunk, as the actor's ACTOR_MAX_BATCH (ECHO_MAX_BATCH). */
  maxBatch: number;
}

export function readEchoConfig(environment: NodeJS.ProcessEnv = process.env): EchoConfig {
  const env = readEnv(
    {
      ECHO_SLATE_SIZE: intIn(1, 100)({ default: 10, desc: 'items in every echoed slate' }),
      ECHO_MAX_BATCH: intIn(1, 4096)({ default: 256, desc: 'most requests per chunk (as ACTOR_MAX_BATCH)' }),
    },
    environment,
  );
  return { common: readCommonConfig(environment), slateSize: env.ECHO_SLATE_SIZE, maxBatch: env.ECHO_MAX_BATCH };
}

export async function startEcho(config: EchoConfig, options: RuntimeOptions = {}): Promise<ServiceRuntime> {
  const runtime = await startServiceRuntime('echo', config.common, options);
  const { kafka, topics, producer, logger } = runtime;
  const slate: RecommendedItem[] = Array.from({ length: config.slateSize }, (_, position) => ({
    itemId: `item-${position}`,
    position,
    score: 1 - position / config.slateSize,
    propensity: 0.9,
    explored: false,
  }));
  // The actor's consumer settings (services/actor/src/main.ts).
  const consumer = kafka.consumer({ groupId: `${config.common.topicPrefix}echo`, maxWaitTimeInMs: 20, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  runtime.onShutdown({ name: 'requests-consumer', run: () => consumer.disconnect() });
  await runBatchConsumer<RecommendationRequest>({
    consumer,
    decoders: { [topics.requests]: (bytes) => validateRequest(codecs.request.decode(bytes)) },
    handle: (records: ConsumedRecord<RecommendationRequest>[]) =>
      producer.sendAll(
        topics.actions,
        records.map(({ value: request }) => ({
          key: request.userId,
          value: codecs.action.encode({ requestId: request.requestId, userId: request.userId, timestamp: Date.now(), items: slate, modelVersion: 0, epsilon: 0, policy: 'echo' }),
        })),
      ),
    deadLetters: runtime.deadLetters,
    metrics: runtime.metrics,
    logger,
    maxChunk: config.maxBatch,
    fromBeginning: true,
  });
  logger.info({ slateSize: config.slateSize }, 'echo serving');
  return runtime;
}

if (require.main === module) {
  startEcho(readEchoConfig()).catch((error: Error) => {
    console.error(`echo failed to start: ${error.message}`);
    process.exit(1);
  });
}
