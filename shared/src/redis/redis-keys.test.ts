import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisKeys, type RedisKeys } from './redis-keys';

/** Every key builder of `keys` (all but pattern), called with `argument` for each parameter. */
function everyKey(keys: RedisKeys, argument: string): Map<string, string> {
  const builders = Object.entries(keys).filter(([name]) => name !== 'pattern') as [string, (...args: unknown[]) => string][];
  return new Map(builders.map(([name, build]) => [name, build(...Array.from({ length: build.length }, () => argument))]));
}

describe('redis keys', () => {
  const keys = redisKeys('t-abc:');

  it('builds every key under the prefix', () => {
    for (const [name, key] of everyKey(keys, '7')) assert.ok(key.startsWith('t-abc:'), `${name}: ${key}`);
    assert.equal(keys.pattern(), 't-abc:*');
  });

  it('gives different builders different keys, and different ids different keys', () => {
    const built = [...everyKey(keys, '7').values()];
    assert.equal(new Set(built).size, built.length, built.join(' '));
    const other = everyKey(keys, '8');
    for (const [name, key] of everyKey(keys, '7')) {
      if (key.includes('7')) assert.notEqual(other.get(name), key, name);
    }
  });

  it('hash-tags per-user keys with the userId (one slot per user; the layout as a whole needs one Redis primary)', () => {
    assert.ok(keys.userEngagements('u1').includes('{u1}') && keys.userExposures('u1').includes('{u1}'));
    assert.ok(keys.userLastRequest('u1').includes('{u1}'));
  });

  it('defaults to the rec: prefix', () => {
    for (const key of everyKey(redisKeys(), 'x').values()) assert.ok(key.startsWith('rec:'), key);
  });
});
