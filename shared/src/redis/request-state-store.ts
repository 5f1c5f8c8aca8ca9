import type { Redis } from './redis-client';
import type { RedisKeys } from './redis-keys';

/**
 * The state vector an actor built for each request (float32 bytes), kept in Redis for a while. The
 * joiner reads it as the transition's state and as the previous request's next state, so the learner
 * trains on exactly what the actor saw when it served.
 */
export class RequestStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Long enough to outlive the reward wait plus the session timeout. */
    private readonly ttlMs: number,
  ) {}

  async putMany(states: readonly { requestId: string; state: Buffer }[]): Promise<void> {
    if (states.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { requestId, state } of states) pipeline.set(this.keys.requestState(requestId), state, 'PX', this.ttlMs);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  async getMany(requestIds: readonly string[]): Promise<(Buffer | null)[]> {
    if (requestIds.length === 0) return [];
    return this.redis.mgetBuffer(...requestIds.map((requestId) => this.keys.requestState(requestId)));
  }
}
