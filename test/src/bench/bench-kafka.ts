import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { ensureTopics, redisKeys, topicNames, topicSpecs, type RedisKeys, type TopicNames } from '@rec/shared';
import { sleep } from '../harness';

/** Event-topic partitions of a benchmark namespace: the system's default (topicSpecs). */
export const BENCH_PARTITIONS = 4;

/** High watermarks of a topic, per partition. */
export type Offsets = Map<number, bigint>;

/** A sub-namespace (its own topics, consumer groups and keys) inside a benchmark's namespace, so cleanup covers it. */
export interface BenchSpace {
  topicPrefix: string;
  redisKeyPrefix: string;
  topics: TopicNames;
  keys: RedisKeys;
  /** TOPIC_PREFIX and REDIS_KEY_PREFIX of a service in this space. */
  env: Record<string, string>;
}

/** Creates the system's topics under `<parentTopicPrefix><name>.`; keys go under `<parentKeyPrefix><name>:`. */
export async function openSpace(kafka: Kafka, parent: { topicPrefix: string; redisKeyPrefix: string }, name: string): Promise<BenchSpace> {
  const topicPrefix = `${parent.topicPrefix}${name}.`;
  const redisKeyPrefix = `${parent.redisKeyPrefix}${name}:`;
  const topics = topicNames(topicPrefix);
  await ensureBenchTopics(kafka, topics);
  return { topicPrefix, redisKeyPrefix, topics, keys: redisKeys(redisKeyPrefix), env: { TOPIC_PREFIX: topicPrefix, REDIS_KEY_PREFIX: redisKeyPrefix } };
}

/**
 * Creates the system's topics (idempotent), retrying: right after creation the broker can briefly
 * answer metadata requests with "does not host this topic-partition".
 */
export async function ensureBenchTopics(kafka: Kafka, topics: TopicNames, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureTopics(admin, topicSpecs(topics, BENCH_PARTITIONS));
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(500 * attempt);
    } finally {
      await admin.disconnect();
    }
  }
}

export async function endOffsets(kafka: Kafka, topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
  } finally {
    await admin.disconnect();
  }
}

export function countBetween(from: Offsets, to: Offsets): number {
  let count = 0n;
  for (const [partition, high] of to) count += high - (from.get(partition) ?? 0n);
  return Number(count);
}

/**
 * Polls a topic's end offsets until `count` messages were appended after `from`; resolves with the end
 * offsets then. Rejects after `timeoutMs`, saying how many arrived. `poll` runs between checks (e.g. to
 * notice that a child died).
 */
export async function waitForAppended(kafka: Kafka, topic: string, from: Offsets, count: number, timeoutMs: number, poll?: () => void): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
      const appended = countBetween(from, now);
      if (appended >= count) return now;
      if (Date.now() > deadline) throw new Error(`${topic}: ${appended} of ${count} messages after ${timeoutMs} ms`);
      poll?.();
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Reads the messages of `topic` in [from, to) per partition (a fresh consumer that commits nothing). */
export async function readRange(kafka: Kafka, topic: string, from: Offsets, to: Offsets, timeoutMs = 60_000): Promise<{ partition: number; message: KafkaMessage }[]> {
  const wanted = countBetween(from, to);
  const received: { partition: number; message: KafkaMessage }[] = [];
  if (wanted === 0) return received;
  const consumer = kafka.consumer({ groupId: `${topic}.reader-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 16 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readRange(${topic}): ${received.length} of ${wanted} after ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const start = from.get(batch.partition) ?? 0n;
            const end = to.get(batch.partition) ?? 0n;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset < start || offset >= end || seen.has(`${batch.partition}:${offset}`)) continue;
              seen.add(`${batch.partition}:${offset}`);
              received.push({ partition: batch.partition, message });
            }
            if (received.length >= wanted) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .then(() => {
          for (const [partition, offset] of from) consumer.seek({ topic, partition, offset: offset.toString() });
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
    return received;
  } finally {
    await consumer.disconnect();
  }
}
