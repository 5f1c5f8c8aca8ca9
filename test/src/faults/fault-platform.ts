import type { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { BatchingProducer, codecs, type TopicNames, type UserFeedback } from '@rec/shared';
import { decodePublishedWeights } from '../harness';
import { benchCatalog } from '../bench/bench-catalog';

/** What the platform saw of one request. */
interface RequestRecord {
  sentAt: number;
  actions: number;
  items: string[];
  clicked: string | null;
  /** The first action's broker timestamp (when the actor produced it): the reward wait counts from there. */
  actionProducedAt: number | null;
  /** The click's broker timestamp, read back from rec.feedback.v1 (what the joiner measures the wait on). */
  clickProducedAt: number | null;
  /** The request's send failed (the platform's loss, not the recommender's). */
  sendFailed: boolean;
  /** Where it landed, `partition:offset` of rec.requests.v1, read back from the topic (null: never seen there). */
  landedAt: string | null;
}

/** A record's arrival at the platform and its broker timestamp (when its producer sent it). */
interface Seen {
  producedAt: number;
}

/** Requests counted as unanswered and shown items counted without a transition (`<requestId>/<itemId>`). */
export interface MissingRecords {
  requestIds: string[];
  transitionKeys: string[];
}

/**
 * The platform side of a fault run, on its own connection to the broker: publishes a catalog, sends
 * requests at a steady rate (users in rotation, each back only after the joiner's session timeout), and
 * answers every action with feedback (an impression per shown item, a click on the first). It reads the
 * actions, the transitions and the weights from the topics themselves, so the reconciliation counts
 * what really came out, not what a service says it did.
 */
export class FaultPlatform {
  readonly requests = new Map<string, RequestRecord>();
  /** `${requestId}/${itemId}` -> how many transitions, and their rewards. */
  readonly transitions = new Map<string, { count: number; rewards: number[] }>();
  readonly actionTimes: Seen[] = [];
  readonly transitionTimes: Seen[] = [];
  /** ONLINE weights versions in topic order, with when each was published. */
  readonly versions: { version: number; producedAt: number }[] = [];
  private readonly producer: BatchingProducer;
  private readonly consumers: Consumer[] = [];
  private sender: NodeJS.Timeout | null = null;
  private sent = 0;
  private readonly runId = randomUUID().slice(0, 8);
  /** Sends that failed (never expected: the producer retries without limit). */
  sendErrors = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
    private readonly options: { users: number; requestsPerSecond: number; catalogSize: number; modelId: string },
  ) {
    this.producer = new BatchingProducer(kafka);
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.producer.sendAll(
      this.topics.catalog,
      benchCatalog(this.options.catalogSize).map((item) => ({ key: item.itemId, value: codecs.catalogItem.encode(item) })),
    );
    await this.follow(this.topics.requests, (value, _producedAt, _key, position) => {
      const record = this.requests.get(codecs.request.decode(value).requestId);
      if (record !== undefined) record.landedAt = position;
    });
    await this.follow(this.topics.actions, (value, producedAt) => this.onAction(value, producedAt));
    await this.follow(this.topics.transitions, (value, producedAt) => {
      const transition = codecs.transition.decode(value);
      const key = `${transition.requestId}/${transition.itemId}`;
      const entry = this.transitions.get(key) ?? { count: 0, rewards: [] };
      entry.count += 1;
      entry.rewards.push(transition.reward);
      this.transitions.set(key, entry);
      this.transitionTimes.push({ producedAt });
    });
    await this.follow(this.topics.feedback, (value, producedAt) => {
      let event: UserFeedback;
      try {
        event = codecs.feedback.decode(value);
      } catch {
        return;
      }
      const record = event.type === 'CLICK' && event.requestId !== null ? this.requests.get(event.requestId) : undefined;
      if (record !== undefined && record.clickProducedAt === null) record.clickProducedAt = producedAt;
    });
    await this.follow(this.topics.modelWeights, (value, producedAt, key) => {
      // Full records and deltas (PS_WEIGHTS_FULL_EVERY) each publish a version.
      const weights = decodePublishedWeights(key, value, this.options.modelId, 'ONLINE');
      if (weights !== null) this.versions.push({ version: weights.version, producedAt });
    });
  }

  /** Starts sending requests at the configured rate until stopSending(). */
  startSending(): void {
    const interval = 1000 / this.options.requestsPerSecond;
    this.sender = setInterval(() => this.sendOne(), interval);
  }

  stopSending(): void {
    if (this.sender !== null) clearInterval(this.sender);
    this.sender = null;
  }

  private sendOne(): void {
    const index = this.sent;
    this.sent += 1;
    const requestId = `${this.runId}-r${index}`;
    const userId = `user-${index % this.options.users}`;
    const now = Date.now();
    const record: RequestRecord = { sentAt: now, actions: 0, items: [], clicked: null, actionProducedAt: null, clickProducedAt: null, sendFailed: false, landedAt: null };
    this.requests.set(requestId, record);
    const request = { requestId, userId, timestamp: now, surface: 'home', contextItemId: null, candidateItemIds: null, slateSize: 5, attributes: { device: 'web' } };
    this.producer.send(this.topics.requests, { key: userId, value: codecs.request.encode(request) }).catch(() => {
      this.sendErrors += 1;
      record.sendFailed = true;
    });
  }

  private onAction(value: Buffer, producedAt: number): void {
    let action;
    try {
      action = codecs.action.decode(value);
    } catch {
      return; // fuzzed bytes on the actions topic: not an action of ours
    }
    this.actionTimes.push({ producedAt });
    const record = this.requests.get(action.requestId);
    if (record === undefined) return;
    record.actions += 1;
    if (record.actions > 1) return;
    record.items = action.items.map((item) => item.itemId);
    record.actionProducedAt = producedAt;
    const feedback: UserFeedback[] = action.items.map((item) => ({
      eventId: `${action.requestId}-imp-${item.position}`,
      userId: action.userId,
      requestId: action.requestId,
      itemId: item.itemId,
      type: 'IMPRESSION',
      value: 0,
      timestamp: Date.now(),
    }));
    if (action.items.length > 0) {
      record.clicked = action.items[0].itemId;
      feedback.push({ eventId: `${action.requestId}-click`, userId: action.userId, requestId: action.requestId, itemId: action.items[0].itemId, type: 'CLICK', value: 0, timestamp: Date.now() });
    }
    this.producer
      .sendAll(this.topics.feedback, feedback.map((event) => ({ key: event.userId, value: codecs.feedback.encode(event) })))
      .catch(() => (this.sendErrors += 1));
  }

  /** Reads a topic from the beginning with a group of its own; each offset once, whatever restarts. */
  private async follow(topic: string, onValue: (value: Buffer, producedAt: number, key: string | null, position: string) => void): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `${topic}-platform-${randomUUID()}`, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const seen = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        for (const message of batch.messages) {
          const position = `${batch.partition}:${message.offset}`;
          if (seen.has(position) || message.value === null) continue;
          seen.add(position);
          onValue(message.value, Number(message.timestamp), message.key?.toString('utf8') ?? null, position);
        }
        await heartbeat();
      },
    });
    this.consumers.push(consumer);
  }

  /**
   * Reads the actions and transitions topics once more, from the start to their current end, with a fresh
   * consumer, and counts how many of the requests without an action and the shown items without a
   * transition are there after all: whether a loss is the recommender's (not on the topic) or this
   * platform's followers missing a record.
   */
  async recheckMissing(missing: MissingRecords): Promise<{ unansweredOnReread: number; missingTransitionsOnReread: number }> {
    const unanswered = new Set(missing.requestIds);
    const missingTransitions = new Set(missing.transitionKeys);
    let unansweredOnReread = 0;
    let missingTransitionsOnReread = 0;
    if (unanswered.size > 0) {
      for (const value of await this.reread(this.topics.actions)) {
        try {
          if (unanswered.delete(codecs.action.decode(value).requestId)) unansweredOnReread += 1;
        } catch {
          // not an action (fuzzed bytes)
        }
      }
    }
    if (missingTransitions.size > 0) {
      for (const value of await this.reread(this.topics.transitions)) {
        const transition = codecs.transition.decode(value);
        if (missingTransitions.delete(`${transition.requestId}/${transition.itemId}`)) missingTransitionsOnReread += 1;
      }
    }
    return { unansweredOnReread, missingTransitionsOnReread };
  }

  /** Every record value of a topic from its start to its end offsets as of now. */
  private async reread(topic: string): Promise<Buffer[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
    await admin.disconnect();
    const next = new Map<number, number>();
    const values: Buffer[] = [];
    const consumer = this.kafka.consumer({ groupId: `${topic}-reread-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = () => [...ends].every(([partition, end]) => end === 0 || (next.get(partition) ?? 0) >= end);
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (Number(message.offset) < (next.get(batch.partition) ?? 0)) continue;
          next.set(batch.partition, Number(message.offset) + 1);
          if (message.value !== null) values.push(message.value);
        }
      },
    });
    const deadline = Date.now() + 30_000;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    await consumer.disconnect();
    if (!done()) throw new Error(`rereading ${topic}: not at its end offsets within 30 s`);
    return values;
  }

  /** Requests sent so far. */
  get sentCount(): number {
    return this.sent;
  }

  /** Whether every request has its action and every shown item its transition. */
  get drained(): boolean {
    for (const [requestId, record] of this.requests) {
      if (record.actions === 0) return false;
      for (const itemId of record.items) if (!this.transitions.has(`${requestId}/${itemId}`)) return false;
    }
    return true;
  }

  async stop(): Promise<void> {
    this.stopSending();
    for (const consumer of this.consumers) await consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
