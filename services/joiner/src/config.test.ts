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

  it('refuses a duplicate memory shorter than a pending request lives, naming the variables', () => {
    assert.throws(
      () => readJoinerConfig({ JOINER_SESSION_TIMEOUT_MS: '120000', JOINER_REWARD_WAIT_MS: '60000', JOINER_DEDUP_TTL_MS: '200000' }),
      (error: unknown) => error instanceof ConfigError && /JOINER_DEDUP_TTL_MS=200000/.test(error.message) && /240000/.test(error.message),
    );
  });
});
