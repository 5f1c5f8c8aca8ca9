import type { Redis } from './redis-client';
import type { RedisKeys } from './redis-keys';

/**
 * Counts the decisions served with one model across every actor, in Redis, so the epsilon schedule
 * belongs to the model, not to a process: a restarted or added actor continues the decay where the
 * others are instead of exploring at the start value again.
 */
export class DecisionCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly modelId: string,
  ) {}

  /**
   * Reserves `count` decisions and resolves to how many the model had served before them. A retried
   * micro-batch reserves again (the schedule then runs slightly ahead, never back).
   */
  async reserve(count: number): Promise<number> {
    const total = await this.redis.incrby(this.keys.modelDecisions(this.modelId), count);
    return total - count;
  }
}
