import type { Redis } from './redis-client';
import type { RedisKeys } from './redis-keys';

/** Width of one popularity bucket; "recent" means the current and the previous buckets. */
export const POPULARITY_BUCKET_MS = 10 * 60_000;
const RECENT_BUCKETS = 2;

/**
 * Clicks per item over the last few minutes, in time-bucketed sorted sets that expire on their own.
 * Joiners count clicks; the popularity policy reads the recent totals.
 */
export class PopularityStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async countClicks(clicks: readonly { itemId: string; timestamp: number }[]): Promise<void> {
    if (clicks.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { itemId, timestamp } of clicks) {
      const key = this.keys.itemPopularity(Math.floor(timestamp / POPULARITY_BUCKET_MS));
      pipeline.zincrby(key, 1, itemId);
      pipeline.pexpire(key, POPULARITY_BUCKET_MS * (RECENT_BUCKETS + 1));
    }
    await pipeline.exec();
  }

  /** Recent clicks per item, summed over the current and previous buckets. */
  async recentClicks(now = Date.now()): Promise<Map<string, number>> {
    const current = Math.floor(now / POPULARITY_BUCKET_MS);
    const pipeline = this.redis.pipeline();
    for (let back = 0; back < RECENT_BUCKETS; back += 1) pipeline.zrange(this.keys.itemPopularity(current - back), 0, -1, 'WITHSCORES');
    const totals = new Map<string, number>();
    for (const [error, raw] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const pairs = raw as string[];
      for (let index = 0; index < pairs.length; index += 2) {
        totals.set(pairs[index], (totals.get(pairs[index]) ?? 0) + Number(pairs[index + 1]));
      }
    }
    return totals;
  }
}
