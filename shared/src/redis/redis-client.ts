import * as fs from 'node:fs';
import { Redis } from 'ioredis';
import { ConfigError } from '../errors/errors';
import type { Logger } from '../logging/logger';

export type { Redis };

/**
 * The one way services get a Redis connection: auto-pipelined, errors logged, bounded reconnect backoff,
 * and a command timeout, so a Redis that stops answering (paused, partitioned) fails the command (a
 * retriable error: the consumer backs off and retries) instead of hanging the handler forever. The URL
 * carries AUTH (`redis://user:password@host`) and TLS (`rediss://`); the password is never logged.
 */
export function createRedis(url: string, logger: Logger, options: RedisConnectionOptions = {}): Redis {
  const log = logger.child({ component: 'redis' });
  const redis = new Redis(url, {
    ...redisSecurity(url, options),
    enableAutoPipelining: true,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    maxRetriesPerRequest: 20,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    lazyConnect: false,
  });
  redis.on('error', (error) => log.warn({ err: error }, 'redis error'));
  return redis;
}

export interface RedisConnectionOptions {
  commandTimeoutMs?: number;
  /** PEM CA file for a rediss:// server whose certificate a private CA signed. */
  tlsCaFile?: string;
  /** AUTH password (instead of one in the URL). */
  password?: string;
}

/** TLS and AUTH options for ioredis from the URL scheme, a CA file and a password; empty ones are left out. */
export function redisSecurity(url: string, options: Pick<RedisConnectionOptions, 'tlsCaFile' | 'password'>): { tls?: { ca: string[] }; password?: string } {
  const security: { tls?: { ca: string[] }; password?: string } = {};
  if (options.password !== undefined && options.password !== '') security.password = options.password;
  if (options.tlsCaFile !== undefined && options.tlsCaFile !== '') {
    if (!url.startsWith('rediss://')) throw new ConfigError('REDIS_TLS_CA_FILE is set but REDIS_URL is not rediss://');
    try {
      security.tls = { ca: [fs.readFileSync(options.tlsCaFile, 'utf8')] };
    } catch (error) {
      throw new ConfigError(`REDIS_TLS_CA_FILE: cannot read ${options.tlsCaFile}: ${(error as Error).message}`);
    }
  }
  return security;
}
