import type { IHeaders } from 'kafkajs';
import { reasonOf } from '../errors/errors';
import type { Logger } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/service-metrics';
import type { BatchingProducer } from './batching-producer';
import { dlqTopic } from './topics';

/** Header names on a dead-letter record; the original key and value bytes are kept untouched. */
export const DLQ_HEADERS = {
  reason: 'dlq.reason',
  error: 'dlq.error',
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  service: 'dlq.service',
  failedAt: 'dlq.failed.at',
} as const;

/**
 * Header `rec dlq redrive` puts on each record it publishes back (`<dlq topic>@<partition>:<offset>`): an
 * operator asked for the record to be handled again, so a consumer that skips repeats still handles it.
 */
export const REDRIVEN_FROM_HEADER = 'rec.redriven-from';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/**
 * Sends a message that cannot be processed to `<topic>.dlq` with its original bytes and the reason in
 * headers, counts it, and logs it. Resolves once the broker has acknowledged it.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: BatchingProducer,
    private readonly metrics: ServiceMetrics,
    private readonly logger: Logger,
  ) {}

  async publish(source: DeadLetterSource, error: unknown): Promise<void> {
    const reason = reasonOf(error);
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn({ topic: source.topic, partition: source.partition, offset: source.offset, reason, error: message }, 'dead-lettered');
    await this.producer.send(dlqTopic(source.topic), {
      key: source.key,
      value: source.value ?? Buffer.alloc(0),
      headers: {
        ...(source.headers ?? {}),
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.error]: message.slice(0, 2_000),
        [DLQ_HEADERS.sourceTopic]: source.topic,
        [DLQ_HEADERS.sourcePartition]: String(source.partition),
        [DLQ_HEADERS.sourceOffset]: source.offset,
        [DLQ_HEADERS.service]: this.metrics.service,
        [DLQ_HEADERS.failedAt]: String(Date.now()),
      },
    });
    this.metrics.deadLetters.inc({ topic: source.topic, reason });
  }
}
