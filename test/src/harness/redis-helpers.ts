import { Redis } from 'ioredis';
import { redisSecurity } from '@rec/shared';
import { redisUrl } from './infra-endpoints';
import type { TestNamespace } from './test-namespace';

/** A Redis client on the test Redis that fails fast (no endless reconnects) when Redis is down. */
export async function createTestRedis(): Promise<Redis> {
  const redis = new Redis(redisUrl(), {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => (attempt > 3 ? null : 100 * attempt),
    // AUTH and TLS from the variables the services read (REDIS_PASSWORD, REDIS_TLS_CA_FILE).
    ...redisSecurity(redisUrl(), { tlsCaFile: process.env.REDIS_TLS_CA_FILE, password: process.env.REDIS_PASSWORD }),
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis at ${redisUrl()} does not answer (start it with: bash infra/bin/up): ${(error as Error).message}`);
  }
  return redis;
}

/** Deletes every key under the namespace's prefix; returns how many. */
export async function deleteNamespaceKeys(redis: Redis, ns: TestNamespace): Promise<number> {
  let deleted = 0;
  for await (const keys of redis.scanStream({ match: ns.keys.pattern(), count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) deleted += await redis.del(...keys);
  }
  return deleted;
}
