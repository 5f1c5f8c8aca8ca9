import { POPULARITY_BUCKET_MS, type AvailableItems } from '@rec/shared';
import { clickScores, type ScoringPolicy } from '@rec/actor/dist/scoring-policy';

/**
 * The popularity baseline in process memory, with the semantics of the services' PopularityStore and
 * PopularityPolicy: clicks per item in time buckets of POPULARITY_BUCKET_MS (on arrival time), scored by
 * the sum of the current and the previous bucket, the same for every user, refreshed every `refreshMs`.
 */
export class PopularityCounter implements ScoringPolicy {
  readonly name = 'popularity' as const;
  private readonly buckets = new Map<number, Map<string, number>>();
  private scores = new Map<string, number>();
  private refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly refreshMs: number,
  ) {}

  countClick(itemId: string, arrivedAt: number): void {
    const bucket = Math.floor(arrivedAt / POPULARITY_BUCKET_MS);
    let counts = this.buckets.get(bucket);
    if (counts === undefined) this.buckets.set(bucket, (counts = new Map()));
    counts.set(itemId, (counts.get(itemId) ?? 0) + 1);
  }

  score(_states: Float32Array, batch: number, items: AvailableItems): Float32Array {
    this.refresh();
    return clickScores(this.scores, batch, items);
  }

  modelVersion(): number {
    return 0;
  }

  fixedEpsilon(): null {
    return null;
  }

  private refresh(): void {
    const now = this.now();
    if (now - this.refreshedAt < this.refreshMs) return;
    this.refreshedAt = now;
    const current = Math.floor(now / POPULARITY_BUCKET_MS);
    const totals = new Map<string, number>();
    for (const [bucket, counts] of this.buckets) {
      if (bucket < current - 1) {
        this.buckets.delete(bucket);
        continue;
      }
      for (const [itemId, clicks] of counts) totals.set(itemId, (totals.get(itemId) ?? 0) + clicks);
    }
    this.scores = totals;
  }
}
