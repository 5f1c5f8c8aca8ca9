import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SamplesPerInsertLimiter } from './samples-per-insert-limiter';

describe('samples-per-insert limiter', () => {
  it('allows at most maxRatio samples per inserted transition', () => {
    const limiter = new SamplesPerInsertLimiter(4);
    limiter.recordInserts(100);
    assert.equal(limiter.canSample(400), true);
    limiter.recordSamples(256);
    assert.equal(limiter.canSample(256), false, '512 > 4 * 100');
    limiter.recordInserts(28);
    assert.equal(limiter.canSample(256), true, '512 <= 4 * 128');
    assert.equal(limiter.ratio, 2);
  });

  it('is unbounded with ratio 0', () => {
    assert.equal(new SamplesPerInsertLimiter(0).canSample(1e9), true);
  });
});
