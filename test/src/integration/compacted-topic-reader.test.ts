import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchingProducer,
  CompactedTopicReader,
  DeadLetterPublisher,
  ServiceMetrics,
  codecs,
  ensureTopics,
  topicNames,
  topicSpecs,
  validateCatalogItem,
  type CatalogItem,
} from '@rec/shared';
import { openTestContext, sampleCatalogItem, waitFor, type TestContext } from '../harness';

/** The KTable-like reader actors and learners use for the catalog and the weights. */
describe('CompactedTopicReader', () => {
  let ctx: TestContext;
  let deadLetters: DeadLetterPublisher;
  let metrics: ServiceMetrics;

  before(async () => {
    ctx = await openTestContext('compacted-reader');
    await ctx.createTopics(2);
    metrics = new ServiceMetrics('it-compacted');
    const producer = new BatchingProducer(ctx.kafka);
    await producer.connect();
    ctx.onCleanup(() => producer.disconnect());
    deadLetters = new DeadLetterPublisher(producer, metrics, ctx.logger);
  });
  after(() => ctx.cleanup());

  function startReader(topic: string, table: Map<string, CatalogItem>): CompactedTopicReader<CatalogItem> {
    const reader = new CompactedTopicReader<CatalogItem>(ctx.kafka, {
      topic,
      decode: (bytes) => validateCatalogItem(codecs.catalogItem.decode(bytes)),
      onRecord: (key, value) => (value === null ? table.delete(key) : table.set(key, value)),
      deadLetters,
      metrics,
      logger: ctx.logger,
      groupPrefix: ctx.ns.groupId('catalog-reader'),
    });
    ctx.onCleanup(() => reader.stop());
    return reader;
  }

  it('reads the whole topic, tombstones included, before it says caught up, then follows new records', async () => {
    const items = ['item-1', 'item-2', 'item-3'].map((itemId, index) => sampleCatalogItem({ itemId, price: index + 1 }));
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, items, (item) => item.itemId);
    await ctx.produceMessages(ctx.ns.topics.catalog, [
      { key: 'item-2', value: null },
      { key: 'item-1', value: codecs.catalogItem.encode(sampleCatalogItem({ itemId: 'item-1', price: 99 })) },
      { key: 'item-3', value: Buffer.from('not a catalog item') },
    ]);
    const table = new Map<string, CatalogItem>();
    const reader = startReader(ctx.ns.topics.catalog, table);
    assert.equal(reader.ready, false);
    await reader.start();
    await reader.caughtUp;
    assert.equal(reader.ready, true);
    assert.deepEqual([...table.keys()].sort(), ['item-1', 'item-3']);
    assert.equal(table.get('item-1')?.price, 99, 'the latest value of a key wins');
    assert.equal(table.get('item-3')?.price, 3, 'an undecodable update is dead-lettered, the last good value stays');

    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, [sampleCatalogItem({ itemId: 'item-4' })], (item) => item.itemId);
    await waitFor(() => table.has('item-4'), { what: 'a record produced after catching up' });
  });

  it('starts on a topic created a moment ago, as a service does (the broker may not lead it yet)', async () => {
    const admin = ctx.kafka.admin();
    await admin.connect();
    ctx.onCleanup(() => admin.disconnect());
    for (let round = 0; round < 6; round += 1) {
      const names = topicNames(`${ctx.ns.topicPrefix}fresh${round}.`);
      // Like startServiceRuntime: create the whole list, then read the catalog at once.
      await ensureTopics(admin, topicSpecs(names, 4));
      const reader = startReader(names.catalog, new Map());
      await reader.start();
      await reader.caughtUp;
    }
  });
});
