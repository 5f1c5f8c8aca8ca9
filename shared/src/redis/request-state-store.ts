import type { Redis } from './redis-client';
import type { RedisKeys } from './redis-keys';

/** What an actor records about a request for the joiner. */
export interface RecordedRequest {
  /** The request's own timestamp (the platform's clock), epoch ms. */
  requestTimestamp: number;
  /** The state vector the actor built (float32 little-endian bytes). */
  state: Buffer;
}

/**
 * The state vector an actor built for each request, with the request's timestamp, kept in Redis for a
 * while. The joiner reads it as the transition's state and as the previous request's next state, so the
 * learner trains on exactly what the actor saw when it served; the timestamps let the joiner see a
 * session boundary on the platform's own clock. Stored as 8 bytes of timestamp then the state.
 */
export class RequestStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Long enough to outlive the reward wait plus the session timeout. */
    private readonly ttlMs: number,
  ) {}

  async putMany(requests: readonly ({ requestId: string } & RecordedRequest)[]): Promise<void> {
    if (requests.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { requestId, requestTimestamp, state } of requests) {
      const value = Buffer.allocUnsafe(8 + state.byteLength);
      value.writeDoubleLE(requestTimestamp, 0);
      state.copy(value, 8);
      pipeline.set(this.keys.requestState(requestId), value, 'PX', this.ttlMs);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  async getMany(requestIds: readonly string[]): Promise<(RecordedRequest | null)[]> {
    if (requestIds.length === 0) return [];
    const values = await this.redis.mgetBuffer(...requestIds.map((requestId) => this.keys.requestState(requestId)));
    return values.map((value) => (value === null || value.byteLength < 8 ? null : { requestTimestamp: value.readDoubleLE(0), state: value.subarray(8) }));
  }
}
