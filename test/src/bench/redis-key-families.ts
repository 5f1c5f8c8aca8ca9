import type { Redis } from 'ioredis';

/** One family of keys (the key with its ids replaced by *), estimated over the whole keyspace. */
export interface KeyFamily {
  family: string;
  keys: number;
  mib: number;
}

const MiB = 1024 * 1024;

/**
 * A key's family: the namespace prefix dropped, brace tags and id-like segments (anything with a digit,
 * or longer than 24 characters) replaced by *, e.g. `user:{*}:seen`, `pending:*`, `model:*:history:*`.
 */
export function keyFamily(key: string, prefix: string): string {
  const bare = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  return bare
    .split(':')
    .map((segment) => (/^\{.*\}$/.test(segment) ? '{*}' : /\d/.test(segment) || segment.length > 24 ? '*' : segment))
    .join(':');
}

/**
 * Where Redis memory sits, per key family: every key under `prefix` counted by a full SCAN (in steps of
 * 5,000, so Redis never blocks for long), MEMORY USAGE of the first `measurePerFamily` keys of each family
 * (SCAN's order is the hash table's, so they are a fair sample) times the family's count. A second or two
 * of Redis time for a million keys: cheap enough once a minute beside a soak, and it names the family
 * that grows.
 */
export async function redisKeyFamilies(redis: Redis, prefix: string, measurePerFamily = 100): Promise<KeyFamily[]> {
  const counts = new Map<string, number>();
  const samples = new Map<string, string[]>();
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 5_000 }) as AsyncIterable<string[]>) {
    for (const key of keys) {
      const family = keyFamily(key, prefix);
      counts.set(family, (counts.get(family) ?? 0) + 1);
      let sample = samples.get(family);
      if (sample === undefined) samples.set(family, (sample = []));
      if (sample.length < measurePerFamily) sample.push(key);
    }
  }
  const families: KeyFamily[] = [];
  for (const [family, measured] of samples) {
    const pipeline = redis.pipeline();
    for (const key of measured) pipeline.call('MEMORY', 'USAGE', key);
    const results = (await pipeline.exec()) ?? [];
    const bytes = results.map(([error, value]) => (error === null && typeof value === 'number' ? value : 0));
    const meanBytes = bytes.reduce((sum, value) => sum + value, 0) / Math.max(1, bytes.length);
    const keysInFamily = counts.get(family) ?? 0;
    families.push({ family, keys: keysInFamily, mib: Math.round(((keysInFamily * meanBytes) / MiB) * 10) / 10 });
  }
  return families.sort((a, b) => b.mib - a.mib);
}
