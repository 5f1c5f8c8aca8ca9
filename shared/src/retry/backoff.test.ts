import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  const policy = { initialMs: 100, maxMs: 1_000 };
  it('doubles the ceiling per attempt up to the maximum', () => {
    assert.equal(backoffDelayMs(1, policy, () => 0.999999), 99);
    assert.equal(backoffDelayMs(2, policy, () => 0.999999), 199);
    assert.equal(backoffDelayMs(4, policy, () => 0.999999), 799);
    assert.equal(backoffDelayMs(5, policy, () => 0.999999), 999);
    assert.equal(backoffDelayMs(500, policy, () => 0.999999), 999);
  });
  it('draws uniformly below the ceiling (full jitter)', () => {
    assert.equal(backoffDelayMs(3, policy, () => 0), 0);
    assert.equal(backoffDelayMs(3, policy, () => 0.5), 200);
  });
});
