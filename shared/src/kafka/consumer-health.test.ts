import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerHealth } from './consumer-health';

describe('ConsumerHealth', () => {
  it('is unhealthy while any partition fails, and says which, since when and on what', () => {
    const health = new ConsumerHealth();
    assert.equal(health.healthy, true);
    health.markFailing('rec.requests.v1', 1, new Error('Command timed out'));
    health.markFailing('rec.feedback.v1', 0, new Error('Connection is closed.'));
    assert.equal(health.healthy, false);
    assert.match(health.describe(Date.now()), /rec\.requests\.v1\[1\] retrying for 0 s \(Error: Command timed out\)/);
    health.markHealthy('rec.requests.v1', 1);
    assert.equal(health.failingCount, 1);
    health.forgetTopic('rec.feedback.v1');
    assert.equal(health.healthy, true, 'a rebalance forgets the topic: each partition is marked again if it still fails');
  });
});
