import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@rec/shared';
import { readJoinerConfig } from './config';

describe('joiner config', () => {
  it('derives the pending-request lifetime from the session timeout and the reward wait', () => {
    const config = readJoinerConfig({ JOINER_SESSION_TIMEOUT_MS: '120000', JOINER_REWARD_WAIT_MS: '60000' });
    assert.equal(config.pendingTtlMs, 240_000);
    assert.equal(config.dedupTtlMs, 3_600_000);
  });

  it('handles four partitions at once by default, and at least one', () => {
    assert.equal(readJoinerConfig({}).partitionsConcurrently, 4);
    assert.equal(readJoinerConfig({ JOINER_PARTITIONS_CONCURRENTLY: '1' }).partitionsConcurrently, 1);
    assert.throws(() => readJoinerConfig({ JOINER_PARTITIONS_CONCURRENTLY: '0' }), (error: unknown) => error instanceof ConfigError && /JOINER_PARTITIONS_CONCURRENTLY/.test(error.message));
  });

  it('bounds sweeps by default: a slow phase is logged after 5 s, fails after 30 s, and a minute without a sweep is not ready (well inside the 240 s a pending request lives)', () => {
    const config = readJoinerConfig({});
    assert.deepEqual([config.sweepSlowPhaseMs, config.sweepPhaseTimeoutMs, config.sweepStallMs], [5_000, 30_000, 60_000]);
    assert.ok(config.sweepStallMs < config.pendingTtlMs);
  });

  it('refuses a duplicate memory shorter than a pending request lives, naming the variables', () => {
    assert.throws(
      () => readJoinerConfig({ JOINER_SESSION_TIMEOUT_MS: '120000', JOINER_REWARD_WAIT_MS: '60000', JOINER_DEDUP_TTL_MS: '200000' }),
      (error: unknown) => error instanceof ConfigError && /JOINER_DEDUP_TTL_MS=200000/.test(error.message) && /240000/.test(error.message),
    );
  });
});
