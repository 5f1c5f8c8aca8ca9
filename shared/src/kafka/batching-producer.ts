// Before kafkajs: it then groups messages per partition in linear time, and a send it acknowledges is
// written to every partition (see the two modules).
import './kafkajs-linear-grouping';
import './kafkajs-partition-retry';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';

export interface OutgoingMessage {
  key: string | Buffer | null;
  value: Buffer;
  headers?: IHeaders;
}

interface Pending {
  topic: string;
  message: OutgoingMessage;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface BatchingProducerOptions {
  /** Wait this long for more messages before a send; 0 sends as soon as the previous send is done. */
  lingerMs?: number;
  /** Send once this many messages are queued, even inside the linger. */
  maxBatchMessages?: number;
  /** Called after each acknowledged send with its message count per topic. */
  onSent?: (topic: string, count: number) => void;
}

/**
 * An idempotent producer (acks all, no duplicates from its own retries) that batches: `send` queues a
 * message and returns a promise that resolves once the broker has acknowledged it. One send is in flight
 * at a time; messages queued meanwhile go out together in the next `sendBatch`, so batching grows with
 * load on its own, like Nagle. Ordering per partition is preserved.
 */
export class BatchingProducer {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private inFlight: Promise<void> | null = null;
  /** When the sendBatch in flight started, and how many messages it carries (for backlog()). */
  private inFlightSince = 0;
  private inFlightMessages = 0;
  private lingerTimer: NodeJS.Timeout | null = null;
  private readonly lingerMs: number;
  private readonly maxBatchMessages: number;

  constructor(
    kafka: Kafka,
    private readonly options: BatchingProducerOptions = {},
  ) {
    // An idempotent producer retries without limit (kafkajs's rule); the broker drops the duplicates.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // kafkajs 2's default (murmur2, as the Java client): a key lands where other Kafka clients put it.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
    });
    this.lingerMs = options.lingerMs ?? 0;
    this.maxBatchMessages = options.maxBatchMessages ?? 5_000;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Queues one message; resolves when it is acknowledged by all in-sync replicas. */
  send(topic: string, message: OutgoingMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, message, resolve, reject });
      this.schedule();
    });
  }

  /** Queues several messages to one topic; resolves when all are acknowledged. */
  sendAll(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return Promise.all(messages.map((message) => this.send(topic, message))).then(() => undefined);
  }

  /** Resolves once everything queued so far is acknowledged. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight !== null) {
      if (this.inFlight === null) this.startSend();
      await this.inFlight?.catch(() => undefined);
    }
  }

  /**
   * What waits on the broker now: messages queued behind the send in flight, and that send (how many
   * messages, for how long). A caller whose send is slow logs it: a send in flight for long is waiting on
   * kafkajs (its retries or a request without an answer), while a long queue behind a young send is load.
   */
  backlog(): { queuedMessages: number; inFlightMessages: number; inFlightForMs: number | null } {
    return {
      queuedMessages: this.queue.length,
      inFlightMessages: this.inFlight === null ? 0 : this.inFlightMessages,
      inFlightForMs: this.inFlight === null ? null : Date.now() - this.inFlightSince,
    };
  }

  async disconnect(): Promise<void> {
    await this.flush();
    await this.producer.disconnect();
  }

  private schedule(): void {
    // While a send is in flight, messages accumulate; its completion schedules the next send.
    if (this.inFlight !== null) return;
    if (this.queue.length >= this.maxBatchMessages) {
      this.startSend();
      return;
    }
    // lingerMs 0 still waits for the end of this tick, so messages queued together go out together.
    if (this.lingerTimer === null) this.lingerTimer = setTimeout(() => this.startSend(), this.lingerMs);
  }

  private startSend(): void {
    if (this.lingerTimer !== null) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (this.inFlight !== null || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatchMessages);
    this.inFlightSince = Date.now();
    this.inFlightMessages = batch.length;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const pending of batch) {
      const messages = byTopic.get(pending.topic) ?? [];
      messages.push(pending.message);
      byTopic.set(pending.topic, messages);
    }
    this.inFlight = this.producer
      .sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(
        () => {
          for (const [topic, messages] of byTopic) this.options.onSent?.(topic, messages.length);
          for (const pending of batch) pending.resolve();
        },
        (error: unknown) => {
          for (const pending of batch) pending.reject(error);
        },
      )
      .finally(() => {
        this.inFlight = null;
        if (this.queue.length > 0) this.schedule();
      });
  }
}
