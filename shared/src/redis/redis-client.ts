import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger';

export type { Redis };

/** The one way services get a Redis connection: auto-pipelined, errors logged, bounded reconnect backoff. */
export function createRedis(url: string, logger: Logger): Redis {
  const log = logger.child({ component: 'redis' });
  const redis = new Redis(url, {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 20,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    lazyConnect: false,
  });
  redis.on('error', (error) => log.warn({ err: error }, 'redis error'));
  return redis;
}
