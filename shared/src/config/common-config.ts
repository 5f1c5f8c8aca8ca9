import { TOPIC_MANAGEMENT_MODES } from '../kafka/ensure-topics';
import { readSettings } from './read-settings';
import { setting, type SettingValues } from './setting';

/** Where a consumer group with no committed offset starts reading. */
export type StartPosition = 'earliest' | 'latest';

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
  metricsHost: setting.string('METRICS_HOST', '127.0.0.1', 'interface the metrics server binds; `docker-compose.yml` sets `0.0.0.0` so Prometheus can scrape from its container'),
  shutdownTimeoutMs: setting.int('SHUTDOWN_TIMEOUT_MS', 10_000, [100, 120_000], 'bound on the SIGTERM/SIGINT drain'),
  schemaRegistryUrl: setting.string('SCHEMA_REGISTRY_URL', '', "a Confluent-compatible Schema Registry: actors then write actions in its wire format (magic byte + schema id), and framed messages are read with their writer schema; '' = plain Avro out, framed messages read with the reader's schema"),
  logLevel: setting.choice('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'JSON logs on stdout (pino), a child logger per component'),
  manageTopics: setting.choice(
    'MANAGE_TOPICS',
    'create',
    TOPIC_MANAGEMENT_MODES,
    'what a service may change on the broker at start: `create` (missing topics only), `alter` (also partitions and the declared keys, key by key, keeping every other override such as `min.insync.replicas`), `off` (nothing)',
  ),
  startFrom: setting.choice('KAFKA_START_FROM', 'default', ['default', 'earliest', 'latest'], 'where a consumer group with no committed offset starts; `default`: `latest` for actors (no stale backlog on a first deploy), `earliest` for the others'),
  startupDeadlineMs: setting.int('STARTUP_DEADLINE_MS', 120_000, [0, 3_600_000], 'start-up retries retriable failures (broker not ready, "not the correct coordinator", Redis loading) this long, then exits non-zero'),
  kafkaSsl: setting.boolean('KAFKA_SSL', false, 'connect to the brokers over TLS'),
  kafkaSslCaFile: setting.string('KAFKA_SSL_CA_FILE', '', "PEM file of the CA that signed the brokers' certificates (empty: the system's CAs)"),
  kafkaSslCertFile: setting.string('KAFKA_SSL_CERT_FILE', '', 'PEM client certificate, for brokers that require mutual TLS'),
  kafkaSslKeyFile: setting.string('KAFKA_SSL_KEY_FILE', '', "PEM private key of KAFKA_SSL_CERT_FILE"),
  kafkaSslRejectUnauthorized: setting.boolean('KAFKA_SSL_REJECT_UNAUTHORIZED', true, "refuse brokers whose certificate does not verify (false only for experiments)"),
  kafkaSaslMechanism: setting.choice('KAFKA_SASL_MECHANISM', 'none', ['none', 'plain', 'scram-sha-256', 'scram-sha-512'], 'SASL authentication to the brokers'),
  kafkaSaslUsername: setting.string('KAFKA_SASL_USERNAME', '', 'SASL user name'),
  kafkaSaslPassword: setting.secret('KAFKA_SASL_PASSWORD', 'SASL password (never logged or shown; `rec config` says whether it is set)'),
  redisTlsCaFile: setting.string('REDIS_TLS_CA_FILE', '', 'PEM CA for a `rediss://` URL whose server certificate a private CA signed'),
  redisPassword: setting.secret('REDIS_PASSWORD', 'Redis AUTH password (instead of putting it in REDIS_URL; never logged or shown)'),
  redisCommandTimeoutMs: setting.int('REDIS_COMMAND_TIMEOUT_MS', 5_000, [100, 600_000], 'a Redis command unanswered this long fails (transient: the partition backs off and retries) instead of hanging'),
};

export type CommonConfig = SettingValues<typeof COMMON_SETTINGS>;

export function readCommonConfig(environment: NodeJS.ProcessEnv = process.env): CommonConfig {
  return readSettings(COMMON_SETTINGS, environment);
}

/** A service's start position: the configured one, or the service's default. */
export function startsFromBeginning(common: CommonConfig, serviceDefault: StartPosition): boolean {
  return (common.startFrom === 'default' ? serviceDefault : common.startFrom) === 'earliest';
}
