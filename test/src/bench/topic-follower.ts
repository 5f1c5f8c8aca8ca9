import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { sleep } from '../harness';

/**
 * An outside consumer (like a platform reading rec.actions.v1): follows a topic under a fresh group that
 * commits nothing, from its end (or its beginning), decodes each message and hands it over with the
 * time it was received. start() resolves once the group is joined and positioned.
 */
export class TopicFollower<T> {
  private readonly consumer: Consumer;
  private stopped = false;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    /** An AvroCodec, or a decoder that reads the key too (the weights topic holds full records and deltas); null: skip the message. */
    private readonly codec: { decode(bytes: Buffer | null, key: string | null): T | null },
    private readonly onMessage: (value: T, receivedAt: number, timestamp: number, bytes: number) => void,
    private readonly fromBeginning = false,
  ) {
    this.consumer = kafka.consumer({ groupId: `${topic}.follower-${randomUUID()}`, maxWaitTimeInMs: 20, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxBytesPerPartition: 16 * 1024 * 1024 });
  }

  async start(timeoutMs = 30_000): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: this.fromBeginning });
    let joined = false;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => void (joined = true));
    let fetched = false;
    this.consumer.on(this.consumer.events.FETCH, () => void (fetched = true));
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const receivedAt = Date.now();
        for (const message of batch.messages) {
          if (this.stopped) return;
          const value = this.codec.decode(message.value, message.key?.toString('utf8') ?? null);
          if (value !== null) this.onMessage(value, receivedAt, Number(message.timestamp), message.value?.length ?? 0);
        }
      },
    });
    // Joined and one fetch done: the start offsets are resolved, so nothing produced from now on is missed.
    const deadline = Date.now() + timeoutMs;
    while (!(joined && fetched)) {
      if (Date.now() > deadline) throw new Error(`follower of ${this.topic} did not join within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer.disconnect();
  }
}
