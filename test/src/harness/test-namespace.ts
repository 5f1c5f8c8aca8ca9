import { randomBytes } from 'node:crypto';
import { redisKeys, topicNames, type RedisKeys, type TopicNames } from '@rec/shared';
import { kafkaBrokers, redisUrl } from './infra-endpoints';

/** The environment a service reads (see shared/src/config/common-config.ts), pointed at one namespace. */
export interface ServiceEnv {
  KAFKA_BROKERS: string;
  REDIS_URL: string;
  TOPIC_PREFIX: string;
  REDIS_KEY_PREFIX: string;
  METRICS_PORT: string;
  [name: string]: string;
}

/** One test's private corner of the shared broker and Redis. */
export interface TestNamespace {
  /** `<name>-<random>`, unique per call. */
  id: string;
  /** `t-<id>.`: prefix of every topic of this test. */
  topicPrefix: string;
  /** `t-<id>:`: prefix of every Redis key of this test. */
  redisKeyPrefix: string;
  /** The system's topic names under topicPrefix. */
  topics: TopicNames;
  /** The system's Redis keys under redisKeyPrefix. */
  keys: RedisKeys;
  /** Env vars for a service (in-process via readCommonConfig(env), or a child process). METRICS_PORT=0. */
  env: ServiceEnv;
  /** A consumer group id inside the namespace (so cleanup deletes it), e.g. groupId('joiner'). */
  groupId(role: string): string;
}

/** A fresh namespace: topics `<kind>-<name>-<random>.*`, Redis keys `<kind>-<name>-<random>:*` (kind `t` for tests). */
export function testNamespace(name: string, kind = 't'): TestNamespace {
  const slug = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'test';
  const id = `${slug}-${randomBytes(4).toString('hex')}`;
  const topicPrefix = `${kind}-${id}.`;
  const redisKeyPrefix = `${kind}-${id}:`;
  return {
    id,
    topicPrefix,
    redisKeyPrefix,
    topics: topicNames(topicPrefix),
    keys: redisKeys(redisKeyPrefix),
    env: {
      KAFKA_BROKERS: kafkaBrokers(),
      REDIS_URL: redisUrl(),
      TOPIC_PREFIX: topicPrefix,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      METRICS_PORT: '0',
    },
    groupId: (role) => `${topicPrefix}${role}`,
  };
}
