import { randomUUID } from 'node:crypto';
import type { Redis } from '../redis/redis-client';
import type { RedisKeys } from '../redis/redis-keys';
import { bytesToFloats, floatsToBytes } from '../util/float-bytes';

/** Where a load request takes its weights from: a version in the history, or weights staged by an import. */
export type LoadSource = { kind: 'history'; version: number } | { kind: 'staged'; description: string };

/** A request to the parameter server to make some weights the model's next version. */
export interface LoadRequest {
  id: string;
  source: LoadSource;
  requestedAt: number;
}

/** The parameter server's answer to a load request. */
export interface LoadResult {
  id: string;
  /** The new version holding the loaded weights; null when the request was refused. */
  version: number | null;
  error: string | null;
  appliedAt: number;
}

/**
 * The operator's levers on one model, kept in Redis: the pinned version actors serve instead of the newest,
 * and load requests (rollback, import) the parameter server takes on its next tick. `rec pin`, `rec
 * rollback` and `rec import` write here; actors and the parameter server read.
 */
export class ModelControl {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly modelId: string,
  ) {}

  /** The version every actor must serve, or null when actors serve the newest. */
  async pinnedVersion(): Promise<number | null> {
    const value = await this.redis.get(this.keys.modelPin(this.modelId));
    return value === null ? null : Number(value);
  }

  async pin(version: number): Promise<void> {
    await this.redis.set(this.keys.modelPin(this.modelId), String(version));
  }

  async unpin(): Promise<void> {
    await this.redis.del(this.keys.modelPin(this.modelId));
  }

  /** Places a load request (replacing one not yet taken) and returns its id. */
  async requestLoad(source: LoadSource): Promise<string> {
    const request: LoadRequest = { id: randomUUID(), source, requestedAt: Date.now() };
    await this.redis.set(this.keys.modelLoadRequest(this.modelId), JSON.stringify(request));
    return request.id;
  }

  /** Takes the pending load request, if any (GETDEL: exactly one taker). */
  async takeLoadRequest(): Promise<LoadRequest | null> {
    const value = await this.redis.getdel(this.keys.modelLoadRequest(this.modelId));
    return value === null ? null : (JSON.parse(value) as LoadRequest);
  }

  async answerLoad(result: LoadResult): Promise<void> {
    await this.redis.set(this.keys.modelLoadResult(this.modelId), JSON.stringify(result), 'PX', 24 * 3_600_000);
  }

  /** The answer to load request `id`, once the parameter server has given it. */
  async loadResult(id: string): Promise<LoadResult | null> {
    const value = await this.redis.get(this.keys.modelLoadResult(this.modelId));
    if (value === null) return null;
    const result = JSON.parse(value) as LoadResult;
    return result.id === id ? result : null;
  }

  /** Stages imported weights for a load request to take. */
  async stage(layoutHash: string, values: Float32Array): Promise<void> {
    await this.redis.hset(this.keys.modelStagedWeights(this.modelId), { layoutHash, values: Buffer.from(floatsToBytes(values)) });
  }

  async staged(): Promise<{ layoutHash: string; values: Float32Array } | null> {
    const hash = await this.redis.hgetallBuffer(this.keys.modelStagedWeights(this.modelId));
    if (hash.values === undefined) return null;
    return { layoutHash: hash.layoutHash.toString('utf8'), values: bytesToFloats(hash.values) };
  }

  async clearStaged(): Promise<void> {
    await this.redis.del(this.keys.modelStagedWeights(this.modelId));
  }
}
