import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceMetrics, watchConsumerLag, type ConsumerLagWatch } from '@rec/shared';
import { parsePrometheusText, sampleValue } from '../bench/prometheus-text';
import { openTestContext, type TestContext } from '../harness';

/**
 * rec_consumer_lag_messages{group, topic}: read from the broker's offsets, so it moves with commits, not
 * fetches. A scrape shows the last read and starts the next in the background; `refresh` is that read.
 */
describe('consumer lag per group', () => {
  let ctx: TestContext;
  let topic: string;
  let groupId: string;
  let metrics: ServiceMetrics;
  let watch: ConsumerLagWatch;

  const scrapedLag = async (): Promise<number> => {
    await watch.refresh();
    return sampleValue(parsePrometheusText(await metrics.registry.metrics()), 'rec_consumer_lag_messages', { group: groupId, topic, service: 'it-lag' });
  };

  before(async () => {
    ctx = await openTestContext('lag');
    topic = await ctx.createTopic('lagged', 2);
    groupId = ctx.ns.groupId('lagged');
    metrics = new ServiceMetrics('it-lag');
    watch = watchConsumerLag({ kafka: ctx.kafka, metrics, logger: ctx.logger, groupId, topics: [topic] });
    ctx.onCleanup(() => watch.stop());
    // 7 messages on one partition, 5 on the other.
    await ctx.produceMessages(topic, [
      ...Array.from({ length: 7 }, (_, index) => ({ key: 'a', value: Buffer.from(`a${index}`), partition: 0 })),
      ...Array.from({ length: 5 }, (_, index) => ({ key: 'b', value: Buffer.from(`b${index}`), partition: 1 })),
    ]);
  });

  after(() => ctx.cleanup());

  it('counts every message of a group that has committed nothing', async () => {
    assert.equal((await watch.read()).get(topic), 12);
    assert.equal(await scrapedLag(), 12);
  });

  it('drops by what the group commits, per partition', async () => {
    const admin = ctx.kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '4' }] });
      assert.equal(await scrapedLag(), 3 + 5, 'partition 0 has 3 left; partition 1 has no commit, so all 5');
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '7' }, { partition: 1, offset: '5' }] });
      assert.equal(await scrapedLag(), 0);
    } finally {
      await admin.disconnect();
    }
  });
});
