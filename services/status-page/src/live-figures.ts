import { rewardOf, type RecommendationAction, type RewardFunction, type UserFeedback } from '@rec/shared';

/** What happened in one time bucket of the live streams. */
export interface Bucket {
  /** Bucket start, epoch ms. */
  start: number;
  actions: number;
  shownItems: number;
  exploredItems: number;
  /** Feedback naming a request, by type. */
  clicks: number;
  addToCarts: number;
  purchases: number;
  /** Reward of the feedback naming a request (the joiner's reward function). */
  reward: number;
  /** Highest model version that served in the bucket; null without a ddqn action. */
  servedVersion: number | null;
}

/** One dead letter, as the page lists it. */
export interface DeadLetterNote {
  topic: string;
  reason: string;
  error: string;
  service: string;
  at: number;
}

/**
 * Rolling per-bucket counts of the live streams: actions (throughput, explore ratio, served version) and
 * feedback that names a request (CTR, reward), by arrival time; plus the newest dead letters.
 */
export class LiveFigures {
  private readonly buckets = new Map<number, Bucket>();
  private readonly errors: DeadLetterNote[] = [];

  constructor(private readonly options: { bucketMs: number; buckets: number; recentErrors: number; reward: RewardFunction }) {}

  private bucket(now: number): Bucket {
    const start = Math.floor(now / this.options.bucketMs) * this.options.bucketMs;
    let bucket = this.buckets.get(start);
    if (bucket === undefined) {
      bucket = { start, actions: 0, shownItems: 0, exploredItems: 0, clicks: 0, addToCarts: 0, purchases: 0, reward: 0, servedVersion: null };
      this.buckets.set(start, bucket);
      const oldest = start - this.options.buckets * this.options.bucketMs;
      for (const key of this.buckets.keys()) if (key <= oldest) this.buckets.delete(key);
    }
    return bucket;
  }

  recordAction(action: RecommendationAction, now: number): void {
    const bucket = this.bucket(now);
    bucket.actions += 1;
    bucket.shownItems += action.items.length;
    bucket.exploredItems += action.items.filter((item) => item.explored).length;
    if (action.policy === 'ddqn') bucket.servedVersion = Math.max(bucket.servedVersion ?? 0, action.modelVersion);
  }

  recordFeedback(feedback: UserFeedback, now: number): void {
    if (feedback.requestId === null) return;
    const bucket = this.bucket(now);
    if (feedback.type === 'CLICK') bucket.clicks += 1;
    if (feedback.type === 'ADD_TO_CART') bucket.addToCarts += 1;
    if (feedback.type === 'PURCHASE') bucket.purchases += 1;
    bucket.reward += rewardOf(feedback, this.options.reward);
  }

  recordDeadLetter(note: DeadLetterNote): void {
    this.errors.push(note);
    if (this.errors.length > this.options.recentErrors) this.errors.splice(0, this.errors.length - this.options.recentErrors);
  }

  /** Every bucket of the window ending at `now`, oldest first (empty ones included), and the newest dead letters. */
  snapshot(now: number): { buckets: Bucket[]; errors: DeadLetterNote[] } {
    const { bucketMs, buckets: count } = this.options;
    const last = Math.floor(now / bucketMs) * bucketMs;
    const buckets = Array.from({ length: count }, (_, index) => {
      const start = last - (count - 1 - index) * bucketMs;
      return this.buckets.get(start) ?? { start, actions: 0, shownItems: 0, exploredItems: 0, clicks: 0, addToCarts: 0, purchases: 0, reward: 0, servedVersion: null };
    });
    return { buckets, errors: [...this.errors].reverse() };
  }
}
