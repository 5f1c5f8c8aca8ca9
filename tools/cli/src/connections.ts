import { createKafka, createLogger, createRedis, kafkaSecurity, readCommonConfig, redisKeys, topicNames, type CommonConfig, type Kafka, type Logger, type Redis, type RedisKeys, type TopicNames } from '@rec/shared';

/** What a command that talks to the deployment needs, from the same environment the services read. */
export interface Connections {
  config: CommonConfig;
  logger: Logger;
  redis: Redis;
  keys: RedisKeys;
  kafka: Kafka;
  topics: TopicNames;
  close(): Promise<void>;
}

/** Connects to the Redis and (lazily) Kafka that KAFKA_BROKERS, REDIS_URL and the prefixes name. */
export function connect(environment: NodeJS.ProcessEnv): Connections {
  const config = readCommonConfig(environment);
  // The CLI's own logs (JSON on stdout) only when asked for (REC_LOG_LEVEL): its output is what it prints.
  const logger = createLogger('rec-cli', environment.REC_LOG_LEVEL ?? 'silent');
  // The same TLS, SASL and AUTH settings as the services, so the CLI reaches a secured deployment.
  const redis = createRedis(config.redisUrl, logger, { commandTimeoutMs: config.redisCommandTimeoutMs, tlsCaFile: config.redisTlsCaFile, password: config.redisPassword });
  const kafka = createKafka({ clientId: 'rec-cli', brokers: config.kafkaBrokers, logger, security: kafkaSecurity(config) });
  return {
    config,
    logger,
    redis,
    keys: redisKeys(config.redisKeyPrefix),
    kafka,
    topics: topicNames(config.topicPrefix),
    close: async () => void (await redis.quit()),
  };
}
