import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { isRetriable } from '../errors/errors';
import type { Logger } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/service-metrics';
import type { DeadLetterPublisher } from './dead-letter-publisher';

/** A consumed message after decoding and validation. */
export interface ConsumedRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** The broker timestamp, epoch milliseconds. */
  timestamp: number;
  /** The raw message, for dead-lettering it later. */
  raw: KafkaMessage;
}

/** Decodes and validates one topic's bytes; throws a non-retriable error for bad input. */
export type TopicDecoder<T> = (bytes: Buffer | null) => T;

/**
 * Processes a chunk of records from one topic-partition, in order. It resolves only once every output
 * the chunk caused is durable (produced and acknowledged, or written to Redis). Throw a retriable error
 * to have the chunk read again; a non-retriable one sends the offending records to the dead-letter topic.
 */
export type ChunkHandler<T> = (records: ConsumedRecord<T>[]) => Promise<void>;

export interface BatchConsumerOptions<T> {
  consumer: Consumer;
  /** Topic name to its decoder. */
  decoders: Record<string, TopicDecoder<T>>;
  handle: ChunkHandler<T>;
  deadLetters: DeadLetterPublisher;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Most records handed to `handle` at once (the micro-batch). */
  maxChunk?: number;
  /** Read each topic from the beginning when the group has no committed offset. */
  fromBeginning?: boolean;
}

/**
 * The consumer loop every service uses, over kafkajs `eachBatch`: decode and validate each message,
 * hand valid ones to `handle` in chunks, send invalid ones to `<topic>.dlq`, and resolve a message's
 * offset only after its outputs are durable. Offsets are committed from resolved offsets, so a crash
 * re-delivers whatever was not yet fully handled: at least once.
 */
export async function runBatchConsumer<T>(options: BatchConsumerOptions<T>): Promise<void> {
  const maxChunk = options.maxChunk ?? 256;
  const log = options.logger.child({ component: 'batch-consumer' });
  await options.consumer.connect();
  for (const topic of Object.keys(options.decoders)) {
    await options.consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  }
  await options.consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: true,
    autoCommitInterval: 1_000,
    partitionsConsumedConcurrently: 1,
    eachBatch: (payload) => processBatch(payload, options, maxChunk, log),
  });
}

async function processBatch<T>(
  payload: EachBatchPayload,
  options: BatchConsumerOptions<T>,
  maxChunk: number,
  log: Logger,
): Promise<void> {
  const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
  const decode = options.decoders[batch.topic];
  if (decode === undefined) throw new Error(`no decoder for topic ${batch.topic}`);
  let chunk: ConsumedRecord<T>[] = [];
  let deadLettered: Promise<void>[] = [];
  let lastOffset: string | null = null;

  const settle = async (): Promise<void> => {
    if (lastOffset === null) return;
    const stop = options.metrics.batchSeconds.startTimer({ topic: batch.topic });
    await Promise.all([handleChunk(chunk, options), ...deadLettered]);
    stop();
    options.metrics.consumedMessages.inc({ topic: batch.topic }, chunk.length + deadLettered.length);
    resolveOffset(lastOffset);
    chunk = [];
    deadLettered = [];
    lastOffset = null;
    await heartbeat();
    await commitOffsetsIfNecessary();
  };

  for (const message of batch.messages) {
    if (!isRunning() || isStale()) break;
    try {
      chunk.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString('utf8'),
        value: decode(message.value),
        timestamp: Number(message.timestamp),
        raw: message,
      });
    } catch (error) {
      if (isRetriable(error)) throw error;
      deadLettered.push(options.deadLetters.publish(sourceOf(batch.topic, batch.partition, message), error));
    }
    lastOffset = message.offset;
    if (chunk.length >= maxChunk) await settle();
  }
  await settle();
  log.trace({ topic: batch.topic, partition: batch.partition }, 'batch done');
}

/**
 * Runs the handler on a chunk. A non-retriable failure is isolated by retrying record by record, so only
 * the records that fail on their own go to the dead-letter topic.
 */
async function handleChunk<T>(chunk: ConsumedRecord<T>[], options: BatchConsumerOptions<T>): Promise<void> {
  if (chunk.length === 0) return;
  try {
    await options.handle(chunk);
  } catch (error) {
    if (isRetriable(error)) throw error;
    if (chunk.length === 1) {
      const [record] = chunk;
      await options.deadLetters.publish(sourceOf(record.topic, record.partition, record.raw), error);
      return;
    }
    for (const record of chunk) await handleChunk([record], options);
  }
}

function sourceOf(topic: string, partition: number, message: KafkaMessage) {
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers };
}
