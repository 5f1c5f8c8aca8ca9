import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { codecs, seededRandom, type BatchingProducer, type RecommendationAction, type TopicNames, type UserFeedback } from '@rec/shared';
import { offerSteadyLoad } from './request-load';
import { TopicFollower } from './topic-follower';

export interface PlatformLoadOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  topics: TopicNames;
  /** Requests per second, offered steadily whatever the actors do. */
  ratePerSec: number;
  /** Users, served round robin: each user's next request comes users / ratePerSec seconds after the last. */
  users: number;
  /** Impressions confirmed per action (the top positions of the slate). */
  impressionsPerSlate: number;
  /** Probability that an action gets one click, on a random shown item. */
  clickProbability: number;
}

/**
 * A small platform: requests at a steady rate from a round-robin population, and for every action it
 * sees on rec.actions.v1, impressions of the top items and sometimes a click (feedback naming the
 * request), at once. The user's next request follows on the next round. It records when each feedback
 * event was sent and when each model version was first seen in an action.
 */
export class PlatformLoad {
  readonly feedbackSentAt: number[] = [];
  /** modelVersion -> when an action carrying it was first received. */
  readonly versionFirstSeen = new Map<number, number>();
  requestsSent = 0;
  actionsReceived = 0;
  feedbackFailed = 0;
  private readonly follower: TopicFollower<RecommendationAction>;
  private readonly random = seededRandom(29);
  private readonly prefix = `load-${randomBytes(3).toString('hex')}`;
  private feedbackCount = 0;
  private maxVersion = -1;
  private running: Promise<unknown> | null = null;

  constructor(private readonly options: PlatformLoadOptions) {
    this.follower = new TopicFollower(options.kafka, options.topics.actions, codecs.action, (action, receivedAt) => this.onAction(action, receivedAt));
  }

  /** Joins the actions topic, then offers requests for `durationMs` (resolve `finished` to wait for the end). */
  async start(durationMs: number): Promise<void> {
    await this.follower.start();
    this.running = offerSteadyLoad({
      producer: this.options.producer,
      topic: this.options.topics.requests,
      ratePerSec: this.options.ratePerSec,
      durationMs,
      prefix: this.prefix,
      users: this.options.users,
      onSent: () => void (this.requestsSent += 1),
    });
  }

  get finished(): Promise<unknown> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.follower.stop();
  }

  private onAction(action: RecommendationAction, receivedAt: number): void {
    if (!action.requestId.startsWith(this.prefix)) return;
    this.actionsReceived += 1;
    if (action.modelVersion > this.maxVersion) {
      for (let version = this.maxVersion + 1; version <= action.modelVersion; version += 1) if (!this.versionFirstSeen.has(version)) this.versionFirstSeen.set(version, receivedAt);
      this.maxVersion = action.modelVersion;
    }
    const now = Date.now();
    const events: UserFeedback[] = [];
    const feedback = (itemId: string, type: UserFeedback['type']): UserFeedback => ({
      eventId: `${this.prefix}-f${(this.feedbackCount += 1)}`,
      userId: action.userId,
      requestId: action.requestId,
      itemId,
      type,
      value: 0,
      timestamp: now,
    });
    for (const item of action.items.slice(0, this.options.impressionsPerSlate)) events.push(feedback(item.itemId, 'IMPRESSION'));
    if (action.items.length > 0 && this.random() < this.options.clickProbability) {
      events.push(feedback(action.items[Math.floor(this.random() * Math.min(action.items.length, this.options.impressionsPerSlate))].itemId, 'CLICK'));
    }
    for (const event of events) this.feedbackSentAt.push(event.timestamp);
    this.options.producer
      .sendAll(
        this.options.topics.feedback,
        events.map((event) => ({ key: event.userId, value: codecs.feedback.encode(event) })),
      )
      .catch(() => void (this.feedbackFailed += events.length));
  }
}
