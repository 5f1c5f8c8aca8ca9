import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intervalOf, pairedDifference } from './seed-statistics';

describe('seed statistics', () => {
  it('gives the t interval of a mean, worked by hand', () => {
    // Values 1..5: mean 3, sample sd sqrt(2.5), se sqrt(0.5) = 0.7071; t(4) = 2.776 -> half width 1.963.
    const { mean, lo, hi } = intervalOf([1, 2, 3, 4, 5]);
    assert.equal(mean, 3);
    assert.ok(Math.abs(hi - 3 - 2.776 * Math.sqrt(0.5)) < 1e-9, `hi ${hi}`);
    assert.ok(Math.abs(3 - lo - 2.776 * Math.sqrt(0.5)) < 1e-9, `lo ${lo}`);
  });

  it('pairs seeds: a constant gain has a zero-width interval even when the seeds vary a lot', () => {
    const gain = pairedDifference([10, 1, 5], [9, 0, 4]);
    assert.deepEqual(gain, { mean: 1, lo: 1, hi: 1 });
    assert.throws(() => pairedDifference([1], [1, 2]), /differ in length/);
  });
});
