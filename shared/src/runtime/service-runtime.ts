import type { Kafka } from 'kafkajs';
import type { CommonConfig } from '../config/common-config';
import { BatchingProducer } from '../kafka/batching-producer';
import { DeadLetterPublisher } from '../kafka/dead-letter-publisher';
import { ensureTopics } from '../kafka/ensure-topics';
import { createKafka } from '../kafka/kafka-client';
import { topicNames, topicSpecs, type TopicNames } from '../kafka/topics';
import { installGracefulShutdown, type ShutdownStep } from '../lifecycle/graceful-shutdown';
import { createLogger, type Logger } from '../logging/logger';
import { startHealthServer, type HealthServer } from '../metrics/metrics-server';
import { ServiceMetrics } from '../metrics/service-metrics';
import { createRedis, type Redis } from '../redis/redis-client';
import { redisKeys, type RedisKeys } from '../redis/redis-keys';

/** The plumbing every service's composition root starts with, wired once. */
export interface ServiceRuntime {
  name: string;
  /** This process's unique id (consumer client ids, learner ids). */
  instanceId: string;
  config: CommonConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  kafka: Kafka;
  producer: BatchingProducer;
  deadLetters: DeadLetterPublisher;
  redis: Redis;
  topics: TopicNames;
  keys: RedisKeys;
  health: HealthServer;
  /** Adds a readiness check; /readyz is 200 when all pass. */
  addReadiness(name: string, check: () => boolean): void;
  /** Adds a step to the SIGTERM drain; steps run in the order added, before the runtime's own. */
  onShutdown(step: ShutdownStep): void;
  /** Runs the drain now (tests, the demo). Resolves true when it finished in time. */
  shutdown(): Promise<boolean>;
}

export interface RuntimeOptions {
  /** Install SIGTERM/SIGINT handlers that drain and exit (default true; in-process tests pass false). */
  handleSignals?: boolean;
  logger?: Logger;
}

export async function startServiceRuntime(name: string, config: CommonConfig, options: RuntimeOptions = {}): Promise<ServiceRuntime> {
  const instanceId = `${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const logger = options.logger ?? createLogger(name, config.logLevel);
  const metrics = new ServiceMetrics(name);
  const kafka = createKafka({ clientId: instanceId, brokers: config.kafkaBrokers, logger });
  const topics = topicNames(config.topicPrefix);

  const admin = kafka.admin();
  await admin.connect();
  const ensured = await ensureTopics(admin, topicSpecs(topics));
  await admin.disconnect();
  if (ensured.created.length > 0) logger.info({ created: ensured.created }, 'created topics');

  const producer = new BatchingProducer(kafka, { onSent: (topic, count) => metrics.producedMessages.inc({ topic }, count) });
  await producer.connect();
  const redis = createRedis(config.redisUrl, logger);
  const readiness = new Map<string, () => boolean>();
  const health = await startHealthServer({
    registry: metrics.registry,
    port: config.metricsPort,
    isReady: () => {
      const failing = [...readiness].filter(([, check]) => !check()).map(([check]) => check);
      return { ready: failing.length === 0, detail: failing.length === 0 ? 'all checks pass' : `waiting for ${failing.join(', ')}` };
    },
  });
  logger.info({ metricsPort: health.port, brokers: config.kafkaBrokers, topicPrefix: config.topicPrefix }, 'runtime started');

  // Service steps go before the runtime's own: stop consuming first, then flush and close clients.
  const runtimeSteps: ShutdownStep[] = [
    { name: 'producer', run: () => producer.disconnect() },
    { name: 'redis', run: async () => void (await redis.quit()) },
    { name: 'health-server', run: () => health.close() },
  ];
  const steps: ShutdownStep[] = [...runtimeSteps];
  const drain = installGracefulShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    steps,
    listen: options.handleSignals !== false,
    exit: (code) => process.exit(code),
  });

  return {
    name,
    instanceId,
    config,
    logger,
    metrics,
    kafka,
    producer,
    deadLetters: new DeadLetterPublisher(producer, metrics, logger.child({ component: 'dlq' })),
    redis,
    topics,
    keys: redisKeys(config.redisKeyPrefix),
    health,
    addReadiness: (check, fn) => void readiness.set(check, fn),
    onShutdown: (step) => void steps.splice(steps.length - runtimeSteps.length, 0, step),
    shutdown: drain,
  };
}
