import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { AvroCodec, EnsureTopicsResult, Logger } from '@rec/shared';
import {
  consumeUntil,
  createNamespaceTopics,
  createTopic,
  createTestKafka,
  deleteNamespaceGroups,
  deleteNamespaceTopics,
  produceMessages,
  produceRecords,
  type ConsumeOptions,
  type RawMessage,
  type ReceivedMessage,
} from './kafka-helpers';
import { cleanupAttempt } from './cleanup-attempt';
import { createTestRedis, deleteNamespaceKeys } from './redis-helpers';
import { testLogger } from './test-logger';
import { testNamespace, type TestNamespace } from './test-namespace';

/** One test's namespace with connected clients, the helpers bound to it, and its cleanup. */
export interface TestContext {
  ns: TestNamespace;
  logger: Logger;
  kafka: Kafka;
  redis: Redis;
  /** Creates the system's topics under the namespace (event topics get `partitions`, default 2). */
  createTopics(partitions?: number): Promise<EnsureTopicsResult>;
  /** Creates one plain topic under the namespace, `<topicPrefix><suffix>`, and returns its name. */
  createTopic(suffix: string, partitions?: number): Promise<string>;
  /** Produces raw messages to a topic. */
  produceMessages(topic: string, messages: RawMessage[]): Promise<void>;
  /** Avro-encodes and produces records keyed by `keyOf`. */
  produceRecords<T>(topic: string, codec: AvroCodec<T>, records: T[], keyOf: (record: T) => string): Promise<void>;
  /** Reads a topic from the beginning until `done` holds (consumer group inside the namespace). */
  consumeUntil(topic: string, done: (received: ReceivedMessage[]) => boolean, options?: ConsumeOptions): Promise<ReceivedMessage[]>;
  /** Registers a step (stop a consumer, a runtime...) that cleanup runs first, newest first. */
  onCleanup(step: () => unknown): void;
  /** Runs the registered steps, then deletes the namespace's topics, consumer groups and Redis keys. */
  cleanup(): Promise<void>;
}

/**
 * Opens a context for one test file or test: `before(async () => (ctx = await openTestContext('dlq')))`,
 * `after(() => ctx.cleanup())`. Cleanup never throws; it reports what it could not remove.
 */
export async function openTestContext(name: string): Promise<TestContext> {
  const ns = testNamespace(name);
  const logger = testLogger(`test-${name}`);
  const kafka = createTestKafka(`test-${ns.id}`);
  const redis = await createTestRedis();
  const steps: (() => unknown)[] = [];
  let readers = 0;

  return {
    ns,
    logger,
    kafka,
    redis,
    createTopics: (partitions) => createNamespaceTopics(kafka, ns, partitions),
    createTopic: async (suffix, partitions) => {
      const topic = `${ns.topicPrefix}${suffix}`;
      await createTopic(kafka, topic, partitions);
      return topic;
    },
    produceMessages: async (topic, messages) => void (await produceMessages(kafka, topic, messages)),
    produceRecords: async (topic, codec, records, keyOf) => void (await produceRecords(kafka, topic, codec, records, keyOf)),
    consumeUntil: (topic, done, options = {}) => {
      readers += 1;
      return consumeUntil(kafka, topic, done, { groupId: ns.groupId(`reader-${readers}`), ...options });
    },
    onCleanup: (step) => void steps.push(step),
    cleanup: async () => {
      const attempt = cleanupAttempt(ns.id);
      for (const step of steps.reverse()) await attempt('a registered step', step);
      await attempt('deleting topics', () => deleteNamespaceTopics(kafka, ns));
      await attempt('deleting consumer groups', () => deleteNamespaceGroups(kafka, ns));
      await attempt('deleting Redis keys', () => deleteNamespaceKeys(redis, ns));
      await attempt('closing Redis', () => redis.quit());
    },
  };
}
