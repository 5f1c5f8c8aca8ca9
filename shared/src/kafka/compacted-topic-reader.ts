import { randomUUID } from 'node:crypto';
import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/service-metrics';
import type { DeadLetterPublisher } from './dead-letter-publisher';
import { isPoisonMessage, isRetriable } from '../errors/errors';
import { restartWhenKafkajsGivesUp } from './consumer-restart';
import type { TopicDecoder } from './batch-consumer';

/**
 * Reads a whole compacted topic (the catalog, the weights) into this process, like a KTable: every
 * partition from the beginning, under a group of its own that commits nothing, so each process sees
 * every key. `onRecord` gets each key's values in order (null for a tombstone); `caughtUp` resolves once
 * the reader has reached the end offsets the topic had when it started.
 */
export class CompactedTopicReader<T> {
  private readonly consumer;
  private readonly log: Logger;
  private caughtUpResolve!: () => void;
  readonly caughtUp: Promise<void>;
  private isCaughtUp = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: {
      topic: string;
      decode: TopicDecoder<T>;
      onRecord: (key: string, value: T | null, timestamp: number) => void;
      deadLetters: DeadLetterPublisher;
      metrics: ServiceMetrics;
      logger: Logger;
      /** Start of the reader's (never committed) group id; begin it with the topic prefix so a deployment's groups sort together. */
      groupPrefix: string;
    },
  ) {
    this.log = options.logger.child({ component: 'compacted-reader', topic: options.topic });
    this.consumer = kafka.consumer({
      groupId: `${options.groupPrefix}-${randomUUID()}`,
      maxBytesPerPartition: 32 * 1024 * 1024,
      // A short long-poll: updates still arrive at once, and stopping does not wait long for an idle fetch.
      maxWaitTimeInMs: 250,
      sessionTimeout: 30_000,
    });
    this.caughtUp = new Promise<void>((resolve) => {
      this.caughtUpResolve = resolve;
    });
  }

  get ready(): boolean {
    return this.isCaughtUp;
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: Awaited<ReturnType<typeof fetchEndOffsets>>;
    try {
      ends = await fetchEndOffsets(admin, this.options.topic);
    } finally {
      await admin.disconnect();
    }
    // Offsets still to reach, per partition: the high watermark minus one.
    const remaining = new Map<number, bigint>();
    for (const { partition, high, low } of ends) if (BigInt(high) > BigInt(low)) remaining.set(partition, BigInt(high) - 1n);
    const checkCaughtUp = () => {
      if (!this.isCaughtUp && remaining.size === 0) {
        this.isCaughtUp = true;
        this.log.info('caught up');
        this.caughtUpResolve();
      }
    };
    checkCaughtUp();
    const subscribeAndRun = async () => {
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
      await this.consumer.run(runConfig);
    };
    const runConfig = {
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
        for (const message of batch.messages) {
          const key = message.key?.toString('utf8') ?? '';
          try {
            const value = message.value === null ? null : this.options.decode(message.value);
            this.options.onRecord(key, value, Number(message.timestamp));
          } catch (error) {
            if (!isPoisonMessage(error)) throw error;
            await this.options.deadLetters.publish(
              { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers },
              error,
            );
          }
          const target = remaining.get(batch.partition);
          if (target !== undefined && BigInt(message.offset) >= target) remaining.delete(batch.partition);
        }
        this.options.metrics.consumedMessages.inc({ topic: batch.topic }, batch.messages.length);
        checkCaughtUp();
        await heartbeat();
      },
    };
    // Its group commits nothing: a restarted reader reads the topic again from the beginning (idempotent).
    restartWhenKafkajsGivesUp(this.consumer, subscribeAndRun, { logger: this.log });
    await subscribeAndRun();
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/**
 * The topic's offsets, retried: kafkajs's admin gives up at once on NOT_LEADER_FOR_PARTITION, which a
 * broker answers for a moment after creating a topic (it publishes the leader before it serves it).
 */
async function fetchEndOffsets(admin: Admin, topic: string, attempts = 20): ReturnType<Admin['fetchTopicOffsets']> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (!isRetriable(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)));
    }
  }
}
