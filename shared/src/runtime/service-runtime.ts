import type { Kafka } from 'kafkajs';
import { RegistryWriterSchemas } from '../avro/schema-registry-client';
import { useWriterSchemaSource } from '../avro/writer-schemas';
import type { CommonConfig } from '../config/common-config';
import { BatchingProducer } from '../kafka/batching-producer';
import { ConsumerHealth } from '../kafka/consumer-health';
import { DeadLetterPublisher } from '../kafka/dead-letter-publisher';
import { ensureTopics } from '../kafka/ensure-topics';
import { createKafka } from '../kafka/kafka-client';
import { kafkaSecurity } from '../kafka/kafka-security';
import { topicNames, topicSpecs, type TopicNames } from '../kafka/topics';
import { installGracefulShutdown, type ShutdownStep } from '../lifecycle/graceful-shutdown';
import { createLogger, type Logger } from '../logging/logger';
import { startHealthServer, type HealthServer, type RouteHandler } from '../metrics/metrics-server';
import { ServiceMetrics } from '../metrics/service-metrics';
import { createRedis, type Redis } from '../redis/redis-client';
import { redisKeys, type RedisKeys } from '../redis/redis-keys';
import { retryUntilDeadline } from '../retry/retry-until-deadline';

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
  /** The Schema Registry when SCHEMA_REGISTRY_URL is set (consumers then resolve framed messages' writer schemas). */
  schemaRegistry: RegistryWriterSchemas | null;
  deadLetters: DeadLetterPublisher;
  redis: Redis;
  topics: TopicNames;
  keys: RedisKeys;
  health: HealthServer;
  /** Partitions of this process's group consumers stuck on a transient failure (readiness 'consumers'). */
  consumerHealth: ConsumerHealth;
  /** Runs a start-up step, retrying retriable failures until STARTUP_DEADLINE_MS. */
  startupStep<T>(what: string, step: () => Promise<T>): Promise<T>;
  /** Serves `handler` on the metrics port for paths starting with `prefix` (e.g. '/explain/'). */
  addRoute(prefix: string, handler: RouteHandler): void;
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
  const schemaRegistry = config.schemaRegistryUrl === '' ? null : RegistryWriterSchemas.connect(config.schemaRegistryUrl);
  useWriterSchemaSource(schemaRegistry);
  const kafka = createKafka({ clientId: instanceId, brokers: config.kafkaBrokers, logger, security: kafkaSecurity(config) });
  const topics = topicNames(config.topicPrefix);
  const startupStep = <T>(what: string, step: () => Promise<T>): Promise<T> =>
    retryUntilDeadline(what, step, { deadlineMs: config.startupDeadlineMs, logger });

  if (config.manageTopics !== 'off') {
    const ensured = await startupStep('ensure topics', async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await ensureTopics(admin, topicSpecs(topics), config.manageTopics);
      } finally {
        await admin.disconnect();
      }
    });
    if (ensured.created.length > 0 || ensured.updated.length > 0) logger.info({ created: ensured.created, updated: ensured.updated }, 'managed topics');
  }

  const producer = new BatchingProducer(kafka, { onSent: (topic, count) => metrics.producedMessages.inc({ topic }, count) });
  await startupStep('connect producer', () => producer.connect());
  const redis = createRedis(config.redisUrl, logger, { commandTimeoutMs: config.redisCommandTimeoutMs, tlsCaFile: config.redisTlsCaFile, password: config.redisPassword });
  const consumerHealth = new ConsumerHealth();
  const readiness = new Map<string, () => boolean>([
    ['redis', () => redis.status === 'ready'],
    ['consumers', () => consumerHealth.healthy],
  ]);
  const routes = new Map<string, RouteHandler>();
  const health = await startHealthServer({
    registry: metrics.registry,
    routes,
    port: config.metricsPort,
    host: config.metricsHost,
    isReady: () => {
      const failing = [...readiness].filter(([, check]) => !check()).map(([check]) => check);
      const retrying = consumerHealth.healthy ? '' : ` (${consumerHealth.describe()})`;
      return { ready: failing.length === 0, detail: failing.length === 0 ? 'all checks pass' : `waiting for ${failing.join(', ')}${retrying}` };
    },
  });
  logger.info({ metricsHost: config.metricsHost, metricsPort: health.port, brokers: config.kafkaBrokers, topicPrefix: config.topicPrefix }, 'runtime started');

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
    schemaRegistry,
    deadLetters: new DeadLetterPublisher(producer, metrics, logger.child({ component: 'dlq' })),
    redis,
    topics,
    keys: redisKeys(config.redisKeyPrefix),
    health,
    consumerHealth,
    startupStep,
    addReadiness: (check, fn) => void readiness.set(check, fn),
    addRoute: (prefix, handler) => void routes.set(prefix, handler),
    onShutdown: (step) => void steps.splice(steps.length - runtimeSteps.length, 0, step),
    shutdown: drain,
  };
}
