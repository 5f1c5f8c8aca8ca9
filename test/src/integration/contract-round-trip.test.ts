import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codecs } from '@rec/shared';
import { openTestContext, plainRecord, sampleAction, sampleCatalogItem, sampleFeedback, sampleRequest, type TestContext } from '../harness';

/** Every record of the public contract (docs/contract.md) through the real broker, keyed as the contract says. */
describe('contract records through Kafka', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await openTestContext('contract');
    await ctx.createTopics(4);
  });
  after(() => ctx.cleanup());

  const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
  const requests = users.map((userId, index) => sampleRequest({ requestId: `req-${index}`, userId }));
  const actions = users.map((userId, index) => sampleAction({ requestId: `req-${index}`, userId }));
  const feedback = users.map((userId, index) => sampleFeedback({ eventId: `ev-${index}`, requestId: `req-${index}`, userId, type: 'PURCHASE', value: 10 + index }));
  const catalog = ['item-1', 'item-2', 'item-3'].map((itemId, index) => sampleCatalogItem({ itemId, price: 5 + index, available: index !== 1 }));

  it('round-trips RecommendationRequest keyed by userId', async () => {
    await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, requests, (record) => record.userId);
    const received = await ctx.consumeUntil(ctx.ns.topics.requests, (messages) => messages.length >= requests.length);
    const decoded = received.map((message) => ({ key: message.key, value: plainRecord(codecs.request.decode(message.value)) }));
    assert.deepStrictEqual(sortBy(decoded, 'requestId'), requests.map((value) => ({ key: value.userId, value })));
  });

  it('round-trips RecommendationAction keyed by userId', async () => {
    await ctx.produceRecords(ctx.ns.topics.actions, codecs.action, actions, (record) => record.userId);
    const received = await ctx.consumeUntil(ctx.ns.topics.actions, (messages) => messages.length >= actions.length);
    const decoded = received.map((message) => ({ key: message.key, value: plainRecord(codecs.action.decode(message.value)) }));
    assert.deepStrictEqual(sortBy(decoded, 'requestId'), actions.map((value) => ({ key: value.userId, value })));
  });

  it('round-trips UserFeedback keyed by userId', async () => {
    await ctx.produceRecords(ctx.ns.topics.feedback, codecs.feedback, feedback, (record) => record.userId);
    const received = await ctx.consumeUntil(ctx.ns.topics.feedback, (messages) => messages.length >= feedback.length);
    const decoded = received.map((message) => ({ key: message.key, value: plainRecord(codecs.feedback.decode(message.value)) }));
    assert.deepStrictEqual(sortBy(decoded, 'eventId'), feedback.map((value) => ({ key: value.userId, value })));
  });

  it('round-trips CatalogItem keyed by itemId on the compacted topic', async () => {
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, catalog, (record) => record.itemId);
    const received = await ctx.consumeUntil(ctx.ns.topics.catalog, (messages) => messages.length >= catalog.length);
    const decoded = received.map((message) => ({ key: message.key, value: plainRecord(codecs.catalogItem.decode(message.value)) }));
    assert.deepStrictEqual(sortBy(decoded, 'itemId'), catalog.map((value) => ({ key: value.itemId, value })));
  });

  it("puts one user's requests, actions and feedback on the same partition number (co-partitioned)", async () => {
    const partitionsOf = async (topic: string, count: number) => {
      const received = await ctx.consumeUntil(topic, (messages) => messages.length >= count);
      return new Map(received.map((message) => [message.key, message.partition]));
    };
    const [onRequests, onActions, onFeedback] = await Promise.all([
      partitionsOf(ctx.ns.topics.requests, requests.length),
      partitionsOf(ctx.ns.topics.actions, actions.length),
      partitionsOf(ctx.ns.topics.feedback, feedback.length),
    ]);
    for (const user of users) {
      assert.equal(onActions.get(user), onRequests.get(user), `actions of ${user}`);
      assert.equal(onFeedback.get(user), onRequests.get(user), `feedback of ${user}`);
    }
    assert.ok(new Set(onRequests.values()).size > 1, 'six users spread over more than one of four partitions');
  });
});

function sortBy<K extends string>(entries: { key: string | null; value: unknown }[], field: K) {
  const id = (entry: { value: unknown }) => String((entry.value as Record<K, unknown>)[field]);
  return [...entries].sort((a, b) => id(a).localeCompare(id(b), 'en', { numeric: true }));
}
