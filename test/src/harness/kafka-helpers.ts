import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, RecordMetadata } from 'kafkajs';
import { createKafka, ensureTopics, kafkaSecurity, readCommonConfig, topicSpecs, type AvroCodec, type EnsureTopicsResult } from '@rec/shared';
import { kafkaBrokers } from './infra-endpoints';
import { testLogger } from './test-logger';
import type { TestNamespace } from './test-namespace';

/** A message to produce as raw bytes (a null value is a tombstone). */
export interface RawMessage {
  key: string | null;
  value: Buffer | null;
  headers?: IHeaders;
  /** A partition of its own choosing; default the producer's partitioner on the key. */
  partition?: number;
}

/** A consumed message, with key and header values as text. */
export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

export interface ConsumeOptions {
  /** Give up (reject) after this long; default 20 s. */
  timeoutMs?: number;
  /** Consumer group id; default a fresh `t-reader-<uuid>` that commits nothing (so it vanishes when empty). */
  groupId?: string;
}

/** A kafkajs client on the test broker, logging through a quiet test logger. */
export function createTestKafka(clientId = 'test'): Kafka {
  // TLS and SASL from the same variables the services read (KAFKA_SSL*, KAFKA_SASL*): a secured run tests the same way.
  return createKafka({ clientId, brokers: kafkaBrokers().split(','), logger: testLogger(clientId), security: kafkaSecurity(readCommonConfig(process.env)) });
}

/** Creates every topic of the system (and its .dlq) under the namespace's prefix; event topics get `partitions`. */
export async function createNamespaceTopics(kafka: Kafka, ns: TestNamespace, partitions = 2): Promise<EnsureTopicsResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, topicSpecs(ns.topics, partitions));
  } finally {
    await admin.disconnect();
  }
}

/** Creates one plain topic (delete retention) if it is missing, e.g. `${ns.topicPrefix}input` for a test of its own. */
export async function createTopic(kafka: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces raw messages (acks all) and resolves once the broker has them. Idempotent: kafkajs retries a
 * whole send when one partition fails (e.g. "not the leader" just after topic creation), which without
 * idempotence writes the partitions that had succeeded twice.
 */
export async function produceMessages(kafka: Kafka, topic: string, messages: RawMessage[]): Promise<RecordMetadata[]> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    return await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Avro-encodes records with `codec` and produces them keyed by `keyOf(record)`. */
export function produceRecords<T>(kafka: Kafka, topic: string, codec: AvroCodec<T>, records: T[], keyOf: (record: T) => string): Promise<RecordMetadata[]> {
  return produceMessages(kafka, topic, records.map((record) => ({ key: keyOf(record), value: codec.encode(record) })));
}

/**
 * Reads `topic` from the beginning (every partition) with a fresh consumer until `done(received)` holds,
 * then disconnects and returns what it received by then, each offset once (a consumer that kafkajs
 * restarts after a retriable error reads again from the start). Rejects after the timeout, saying how many it got.
 */
export async function consumeUntil(
  kafka: Kafka,
  topic: string,
  done: (received: ReceivedMessage[]) => boolean,
  options: ConsumeOptions = {},
): Promise<ReceivedMessage[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const consumer = kafka.consumer({
    groupId: options.groupId ?? `t-reader-${randomUUID()}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
    retry: { retries: 3 },
  });
  const received: ReceivedMessage[] = [];
  const seen = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<ReceivedMessage[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumeUntil(${topic}): condition not met after ${timeoutMs} ms; received ${received.length} messages`)),
        timeoutMs,
      );
      // kafkajs restarts the consumer itself after a retriable crash (e.g. the group coordinator is loading).
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        clearTimeout(timer);
        reject(payload.error);
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic: from, partition, message }) => {
            const position = `${partition}:${message.offset}`;
            if (seen.has(position)) return;
            seen.add(position);
            received.push({
              topic: from,
              partition,
              offset: message.offset,
              key: message.key === null ? null : message.key.toString('utf8'),
              value: message.value,
              headers: headersAsText(message.headers),
              timestamp: Number(message.timestamp),
            });
            if (done(received)) {
              clearTimeout(timer);
              resolve([...received]);
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Reads `topic` from the beginning until it has at least `count` messages. */
export function consumeCount(kafka: Kafka, topic: string, count: number, options: ConsumeOptions = {}): Promise<ReceivedMessage[]> {
  return consumeUntil(kafka, topic, (received) => received.length >= count, options);
}

/** Header values as UTF-8 text (the last one wins when a header repeats). */
export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) text[name] = last.toString();
  }
  return text;
}

/** Deletes every topic whose name starts with the namespace's prefix. */
export async function deleteNamespaceTopics(kafka: Kafka, ns: TestNamespace): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(ns.topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 15_000 });
    return topics;
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the namespace's consumer groups (ns.groupId(...)); a group that still has members is left to expire. */
export async function deleteNamespaceGroups(kafka: Kafka, ns: TestNamespace): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id.startsWith(ns.topicPrefix));
    const deleted: string[] = [];
    for (const groupId of groups) {
      try {
        await admin.deleteGroups([groupId]);
        deleted.push(groupId);
      } catch {
        // Non-empty (a crashed member not yet expired): the broker removes it after its session timeout.
      }
    }
    return deleted;
  } finally {
    await admin.disconnect();
  }
}
