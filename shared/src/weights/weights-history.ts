import { ValidationError } from '../errors/errors';
import type { Redis } from '../redis/redis-client';
import type { RedisKeys } from '../redis/redis-keys';
import { allFinite, bytesToFloats, checksumOf, floatsToBytes } from '../util/float-bytes';

/** One version of a model's weights, as kept in the history. */
export interface HistoricWeights {
  version: number;
  layoutHash: string;
  values: Float32Array;
  /** When the parameter server published it, epoch ms. */
  publishedAt: number;
}

/**
 * The last N published versions of a model's online weights in Redis (a hash per version, a sorted set of
 * versions), so an operator can pin actors to one, roll the model back to one, or export one. The
 * parameter server records each version it publishes and trims the oldest beyond `keep`.
 */
export class WeightsHistory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly modelId: string,
  ) {}

  /** Records a published version and drops the oldest beyond `keep` (0 keeps none). */
  async record(weights: HistoricWeights, keep: number): Promise<void> {
    if (keep <= 0) return;
    const bytes = Buffer.from(floatsToBytes(weights.values));
    const historyKey = this.keys.modelHistory(this.modelId);
    await this.redis
      .multi()
      .hset(this.keys.modelHistoryVersion(this.modelId, weights.version), {
        values: bytes,
        checksum: String(checksumOf(bytes)),
        layoutHash: weights.layoutHash,
        publishedAt: String(weights.publishedAt),
      })
      .zadd(historyKey, weights.version, String(weights.version))
      .exec();
    const surplus = await this.redis.zrange(historyKey, 0, -(keep + 1));
    if (surplus.length === 0) return;
    await this.redis
      .multi()
      .zrem(historyKey, ...surplus)
      .del(...surplus.map((version) => this.keys.modelHistoryVersion(this.modelId, Number(version))))
      .exec();
  }

  /** The versions kept, oldest first. */
  async versions(): Promise<number[]> {
    return (await this.redis.zrange(this.keys.modelHistory(this.modelId), 0, -1)).map(Number);
  }

  /** One version's weights, verified (checksum, finite values); null when it is not (or no longer) kept. */
  async load(version: number): Promise<HistoricWeights | null> {
    const hash = await this.redis.hgetallBuffer(this.keys.modelHistoryVersion(this.modelId, version));
    if (hash.values === undefined) return null;
    if (checksumOf(hash.values) !== Number(hash.checksum.toString('utf8'))) throw new ValidationError(`history version ${version} fails its checksum`, 'bad-checksum');
    const values = bytesToFloats(hash.values);
    if (!allFinite(values)) throw new ValidationError(`history version ${version} holds NaN or Infinity`, 'not-finite');
    return { version, layoutHash: hash.layoutHash.toString('utf8'), values, publishedAt: Number(hash.publishedAt.toString('utf8')) };
  }
}
