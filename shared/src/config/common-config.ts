import { intIn, readEnv, str } from './env';

/** Settings every service shares: where Kafka and Redis are, naming prefixes, metrics port, shutdown. */
export interface CommonConfig {
  /** Kafka bootstrap servers. */
  kafkaBrokers: string[];
  /** Redis connection URL. */
  redisUrl: string;
  /** Prefix of every Redis key (tests use a unique one). */
  redisKeyPrefix: string;
  /** Prefix of every topic name (tests use a unique one). */
  topicPrefix: string;
  /** Model identifier: the key of its weights and updates. */
  modelId: string;
  /** Port of /metrics, /healthz and /readyz; 0 picks a free one. */
  metricsPort: number;
  /** Longest a SIGTERM drain may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** Log level: fatal, error, warn, info, debug, trace. */
  logLevel: string;
  /** How long a consumer-group member may go silent before its partitions move to the others. */
  kafkaSessionTimeoutMs: number;
}

export function readCommonConfig(environment: NodeJS.ProcessEnv = process.env): CommonConfig {
  const env = readEnv(
    {
      KAFKA_BROKERS: str({ default: '127.0.0.1:9092', desc: 'Kafka bootstrap servers, comma-separated' }),
      REDIS_URL: str({ default: 'redis://127.0.0.1:6379', desc: 'Redis connection URL' }),
      REDIS_KEY_PREFIX: str({ default: 'rec:', desc: 'prefix of every Redis key' }),
      TOPIC_PREFIX: str({ default: '', desc: 'prefix of every topic name' }),
      MODEL_ID: str({ default: 'ddqn', desc: 'model identifier' }),
      // envalid's port() rejects 0, which tests use to get a free port.
      METRICS_PORT: intIn(0, 65_535)({ default: 9464, desc: 'port of /metrics, /healthz, /readyz; 0 picks a free one' }),
      SHUTDOWN_TIMEOUT_MS: intIn(100, 120_000)({ default: 10_000, desc: 'bound on the SIGTERM drain' }),
      // Within the broker's group.min/max.session.timeout.ms (6 s .. 30 min by default).
      KAFKA_SESSION_TIMEOUT_MS: intIn(6_000, 1_800_000)({ default: 30_000, desc: 'consumer-group session timeout' }),
      LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', desc: 'log level' }),
    },
    environment,
  );
  const brokers = env.KAFKA_BROKERS.split(',').map((broker) => broker.trim()).filter(Boolean);
  return {
    kafkaBrokers: brokers,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    topicPrefix: env.TOPIC_PREFIX,
    modelId: env.MODEL_ID,
    metricsPort: env.METRICS_PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
    kafkaSessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
  };
}
