import {
  codecs,
  reasonOf,
  validateAction,
  type BatchingProducer,
  type CatalogItem,
  type DeadLetterPublisher,
  type Logger,
  type RecommendationAction,
  type RecommendationRequest,
  type TopicNames,
  type UserFeedback,
} from '@rec/shared';
import type { Consumer, Kafka, KafkaMessage } from '@rec/shared';
import type { PlatformTransport } from './platform-transport';
import type { SimulatorMetrics } from './simulator-metrics';

interface Waiter {
  resolve: (action: RecommendationAction | null) => void;
  timer: NodeJS.Timeout;
}

/** How many closed requestIds to remember, to tell late and duplicate actions from foreign ones. */
const CLOSED_MEMORY = 200_000;

/**
 * The simulated platform on Kafka: publishes catalog records, requests and feedback with the shared
 * batching producer (keys: itemId for the catalog, userId for the rest), and reads rec.actions.v1 with
 * a consumer group of its own that starts at the end offsets taken before the first request, so it
 * sees every action for its requests and nothing older. An action resolves the waiter of its requestId;
 * actions for other requestIds (other simulators on the same topics) are ignored.
 */
export class KafkaPlatformTransport implements PlatformTransport {
  private readonly waiters = new Map<string, Waiter>();
  /** requestId -> how it was closed, for counting late and duplicate actions (bounded, FIFO). */
  private readonly closed = new Map<string, 'answered' | 'timed-out'>();
  private consumer: Consumer | null = null;
  private joined = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      kafka: Kafka;
      producer: BatchingProducer;
      topics: TopicNames;
      deadLetters: DeadLetterPublisher;
      logger: Logger;
      groupId: string;
      metrics?: SimulatorMetrics;
    },
  ) {
    this.log = deps.logger.child({ component: 'kafka-platform' });
  }

  /** Starts reading actions from the current end of the topic; resolves once the group has joined. */
  async start(): Promise<void> {
    const { kafka, topics } = this.deps;
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topics.actions);
    await admin.disconnect();

    const consumer = kafka.consumer({ groupId: this.deps.groupId, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => {
        this.joined = true;
        resolve();
      }),
    );
    // Not reading while the group rebalances or after a crash; a restarted consumer joins again.
    consumer.on(consumer.events.REBALANCING, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.CRASH, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.actions, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        for (const message of batch.messages) {
          await this.onActionMessage(batch.topic, batch.partition, message);
        }
        await heartbeat();
      },
    });
    // Applied at the next fetch: start exactly where the topic ended before any request was sent.
    for (const { partition, offset } of ends) consumer.seek({ topic: topics.actions, partition, offset });
    await joined;
    this.log.info({ topic: topics.actions, partitions: ends.length }, 'reading actions');
  }

  /** Whether the actions consumer is a joined member of its group right now (readiness). */
  get reading(): boolean {
    return this.joined;
  }

  async stop(): Promise<void> {
    for (const [requestId, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(null);
      this.waiters.delete(requestId);
    }
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  async publishCatalog(items: readonly CatalogItem[]): Promise<void> {
    const { producer, topics } = this.deps;
    await producer.sendAll(
      topics.catalog,
      items.map((item) => ({ key: item.itemId, value: codecs.catalogItem.encode(item) })),
    );
  }

  async requestAction(request: RecommendationRequest, timeoutMs: number): Promise<RecommendationAction | null> {
    const answered = new Promise<RecommendationAction | null>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(request.requestId);
        this.close(request.requestId, 'timed-out');
        resolve(null);
      }, timeoutMs);
      this.waiters.set(request.requestId, { resolve, timer });
    });
    await this.deps.producer.send(this.deps.topics.requests, { key: request.userId, value: codecs.request.encode(request) });
    return answered;
  }

  async publishFeedback(events: readonly UserFeedback[]): Promise<void> {
    if (events.length === 0) return;
    const { producer, topics } = this.deps;
    await producer.sendAll(
      topics.feedback,
      events.map((event) => ({ key: event.userId, value: codecs.feedback.encode(event) })),
    );
  }

  private async onActionMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    let action: RecommendationAction;
    try {
      action = validateAction(codecs.action.decode(message.value));
    } catch (error) {
      this.deps.metrics?.invalidActions.inc({ reason: reasonOf(error) });
      const { offset, key, value, headers } = message;
      await this.deps.deadLetters.publish({ topic, partition, offset, key, value, headers }, error);
      return;
    }
    const waiter = this.waiters.get(action.requestId);
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      this.waiters.delete(action.requestId);
      this.close(action.requestId, 'answered');
      waiter.resolve(action);
      return;
    }
    const closedAs = this.closed.get(action.requestId);
    if (closedAs === 'timed-out') this.deps.metrics?.lateActions.inc();
    else if (closedAs === 'answered') this.deps.metrics?.duplicateActions.inc();
  }

  private close(requestId: string, how: 'answered' | 'timed-out'): void {
    this.closed.set(requestId, how);
    if (this.closed.size > CLOSED_MEMORY) {
      const oldest = this.closed.keys().next().value;
      if (oldest !== undefined) this.closed.delete(oldest);
    }
  }
}
