import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeightsFreshnessGate } from './weights-freshness-gate';

describe('WeightsFreshnessGate', () => {
  it('closes after the bound of updates on one version and reopens on a newer version only', () => {
    const gate = new WeightsFreshnessGate(3);
    gate.adopted(7);
    for (let sent = 0; sent < 3; sent += 1) {
      assert.equal(gate.open, true);
      gate.sentUpdate();
    }
    assert.equal(gate.open, false);
    gate.adopted(7); // the same version again (a re-read of the compacted topic): still closed
    gate.adopted(5); // an older one: still closed
    assert.equal(gate.open, false);
    gate.adopted(8);
    assert.equal(gate.open, true);
  });
});
