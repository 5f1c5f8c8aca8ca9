import { readSettings } from './read-settings';
import { setting, type SettingValues } from './setting';

/** Settings every service shares: where Kafka and Redis are, naming prefixes, metrics port, shutdown. */
export const COMMON_SETTINGS = {
  kafkaBrokers: setting.stringList('KAFKA_BROKERS', ['127.0.0.1:9092'], 'Kafka bootstrap servers, comma-separated'),
  redisUrl: setting.string('REDIS_URL', 'redis://127.0.0.1:6379', 'Redis connection URL'),
  topicPrefix: setting.string('TOPIC_PREFIX', '', 'prefix of every topic name (the demo and the tests use one per run)'),
  // Within the broker's group.min/max.session.timeout.ms (6 s .. 30 min by default).
  kafkaSessionTimeoutMs: setting.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, [6_000, 1_800_000], 'consumer-group session: how long a crashed member holds its partitions'),
  redisKeyPrefix: setting.string('REDIS_KEY_PREFIX', 'rec:', 'prefix of every Redis key (built in `shared/src/redis/redis-keys.ts`)'),
  modelId: setting.string('MODEL_ID', 'ddqn', 'model identifier: the key of its weights and updates'),
  // Not envalid's port(): it rejects 0, which tests use to get a free port.
  metricsPort: setting.int('METRICS_PORT', 9464, [0, 65_535], '`/metrics`, `/healthz`, `/readyz`; 0 picks a free port'),
  shutdownTimeoutMs: setting.int('SHUTDOWN_TIMEOUT_MS', 10_000, [100, 120_000], 'bound on the SIGTERM/SIGINT drain'),
  logLevel: setting.choice('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'JSON logs on stdout (pino), a child logger per component'),
};

export type CommonConfig = SettingValues<typeof COMMON_SETTINGS>;

export function readCommonConfig(environment: NodeJS.ProcessEnv = process.env): CommonConfig {
  return readSettings(COMMON_SETTINGS, environment);
}
