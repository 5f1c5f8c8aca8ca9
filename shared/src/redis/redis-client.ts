import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger';

export type { Redis };

/**
 * The one way services get a Redis connection: auto-pipelined, errors logged, bounded reconnect backoff,
 * and a command timeout, so a Redis that stops answering (paused, partitioned) fails the command (a
 * retriable error: the consumer backs off and retries) instead of hanging the handler forever. The URL
 * carries AUTH (`redis://user:password@host`) and TLS (`rediss://`); the password is never logged.
 */
export function createRedis(url: string, logger: Logger, options: { commandTimeoutMs?: number } = {}): Redis {
  const log = logger.child({ component: 'redis' });
  const redis = new Redis(url, {
    enableAutoPipelining: true,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    maxRetriesPerRequest: 20,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    lazyConnect: false,
  });
  redis.on('error', (error) => log.warn({ err: error }, 'redis error'));
  return redis;
}
