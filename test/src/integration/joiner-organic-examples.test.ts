import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PendingRequestStore, readJoinerConfig, type JoinerConfig } from '@rec/joiner';
import {
  BatchingProducer,
  LiveCatalog,
  ORGANIC_POSITION,
  bytesToFloats,
  codecs,
  encodeState,
  organicRequestOf,
  type ConsumedRecord,
  type RecommendationAction,
  type Transition,
  type UserFeedback,
} from '@rec/shared';
import { consumedRecord, joinerOnRedis, openTestContext, sampleAction, sampleCatalogItem, sampleFeedback, type TestContext } from '../harness';

const PENDING_OPTIONS = { ttlMs: 600_000, rewardWaitMs: 60_000, dedupTtlMs: 3_600_000, historyLength: 50, historyTtlMs: 60_000 };
const NEGATIVES = 3;
const T0 = 1_767_225_600_000;

/**
 * Organic clicks as training examples (JOINER_ORGANIC_NEGATIVES, design decision 15), through the joiner's
 * own chunk handling on the real Redis and broker: an organic click becomes the clicked item with its
 * reward and random catalog items with reward 0 on rec.transitions.v1, from the user's state as the
 * history stood before the click; a redelivered chunk sends the same transitions (ids the learner drops
 * as duplicates); clicks that answer a recommendation, organic impressions and a joiner with the option
 * off send none.
 */
describe('joiner organic-click examples', () => {
  let ctx: TestContext;
  let producer: BatchingProducer;
  const catalog = new LiveCatalog();
  for (let index = 0; index < 12; index += 1) catalog.upsert(sampleCatalogItem({ itemId: `item-${index}`, features: [index, 1 - index / 12] }));

  before(async () => {
    ctx = await openTestContext('joiner-organic');
    await ctx.createTopics(1);
    producer = new BatchingProducer(ctx.kafka);
    await producer.connect();
    ctx.onCleanup(() => producer.disconnect());
  });
  after(() => ctx.cleanup());

  const joinerWith = (config: JoinerConfig) => {
    const pending = new PendingRequestStore(ctx.redis, ctx.ns.keys, PENDING_OPTIONS);
    return joinerOnRedis(ctx, { redis: ctx.redis, pending, producer, catalog, config, logger: ctx.logger });
  };
  const feedbackRecord = (feedback: UserFeedback, offset: number): ConsumedRecord<RecommendationAction | UserFeedback> => consumedRecord(ctx.ns.topics.feedback, feedback, { offset });
  const actionRecord = (action: RecommendationAction, offset: number): ConsumedRecord<RecommendationAction | UserFeedback> => consumedRecord(ctx.ns.topics.actions, action, { offset });
  const transitionsUntil = async (count: number): Promise<Transition[]> =>
    (await ctx.consumeUntil(ctx.ns.topics.transitions, (received) => received.length >= count)).map(({ value }) => codecs.transition.decode(value as Buffer));

  it('sends the clicked item and random others from the state before the click; a redelivery sends the same ids; other feedback sends none', async () => {
    const config = readJoinerConfig({ JOINER_ORGANIC_NEGATIVES: String(NEGATIVES) });
    const { joiner, metric } = joinerWith(config);
    const first = sampleFeedback({ eventId: 'o-e1', userId: 'o-u1', requestId: null, itemId: 'item-1', type: 'CLICK', timestamp: T0 });
    const second = sampleFeedback({ eventId: 'o-e2', userId: 'o-u1', requestId: null, itemId: 'item-2', type: 'CLICK', timestamp: T0 + 60_000 });
    await joiner.handle([feedbackRecord(first, 0)]);
    await joiner.handle([feedbackRecord(second, 1)]);
    // Redelivered after a crash before the commit: the fold sees duplicates, the examples are sent again.
    await joiner.handle([feedbackRecord(second, 1)]);
    // None of these is an organic click: a click on a recommendation, an organic impression.
    await joiner.handle([actionRecord(sampleAction({ requestId: 'o-r1', userId: 'o-u2' }), 0)]);
    await joiner.handle([
      feedbackRecord(sampleFeedback({ eventId: 'o-e3', userId: 'o-u2', requestId: 'o-r1', itemId: 'item-1', type: 'CLICK', timestamp: T0 }), 2),
      feedbackRecord(sampleFeedback({ eventId: 'o-e4', userId: 'o-u2', requestId: null, itemId: 'item-3', type: 'IMPRESSION', timestamp: T0 }), 3),
    ]);

    const sent = 3 * (1 + NEGATIVES);
    const transitions = await transitionsUntil(sent);
    assert.equal(transitions.length, sent, 'nothing but the three clicks\' examples (the recommendation is not due yet)');
    const ofFirst = transitions.slice(0, 1 + NEGATIVES);
    const ofSecond = transitions.slice(1 + NEGATIVES, 2 * (1 + NEGATIVES));
    const redelivered = transitions.slice(2 * (1 + NEGATIVES));
    for (const [click, examples] of [[first, ofFirst], [second, ofSecond]] as const) {
      assert.equal(examples[0].itemId, click.itemId);
      assert.equal(examples[0].reward, config.rewardWeights.CLICK);
      assert.equal(new Set(examples.map(({ itemId }) => itemId)).size, 1 + NEGATIVES, 'distinct items');
      for (const example of examples.slice(1)) assert.equal(example.reward, 0);
      for (const example of examples) {
        assert.equal(example.requestId, `organic:${click.eventId}`);
        assert.equal(example.position, ORGANIC_POSITION);
        assert.equal(example.done, true);
        assert.equal(example.userId, 'o-u1');
      }
    }
    const vectorOf = catalog.vectorOf;
    const stateOf = (transition: Transition) => Array.from(bytesToFloats(transition.state));
    assert.deepEqual(stateOf(ofFirst[0]), Array.from(encodeState(organicRequestOf(first), [], vectorOf)), 'the first click: an empty history');
    assert.deepEqual(
      stateOf(ofSecond[0]),
      Array.from(encodeState(organicRequestOf(second), [{ itemId: 'item-1', type: 'CLICK', timestamp: T0 }], vectorOf)),
      'the second click: the history holds the first, not itself',
    );
    assert.deepEqual(redelivered.map(({ transitionId }) => transitionId), ofSecond.map(({ transitionId }) => transitionId), 'the redelivery sends the same transitions');
    const counted = await metric('rec_joiner_organic_examples_total');
    assert.match(counted, /reward="positive"[^}]*} 3\n/, 'three positives, the redelivered one counted again');
    assert.match(counted, new RegExp(`reward="zero"[^}]*} ${3 * NEGATIVES}$`, 'm'));
  });

  it('sends nothing when JOINER_ORGANIC_NEGATIVES is 0 (organic clicks only update the history)', async () => {
    const { joiner } = joinerWith(readJoinerConfig({ JOINER_ORGANIC_NEGATIVES: '0' }));
    const before = (await transitionsUntil(3 * (1 + NEGATIVES))).length;
    await joiner.handle([feedbackRecord(sampleFeedback({ eventId: 'z-e1', userId: 'z-u1', requestId: null, itemId: 'item-4', type: 'CLICK', timestamp: T0 }), 10)]);
    assert.equal(await ctx.redis.llen(ctx.ns.keys.userEngagements('z-u1')), 1, 'the click is in the history');
    // A marker sent after it: once it is read, everything the joiner sent before it has been read too.
    await producer.sendAll(ctx.ns.topics.transitions, [{ key: 'marker', value: codecs.transition.encode({ ...(await transitionsUntil(1))[0], transitionId: 'marker' }) }]);
    const after = await ctx.consumeUntil(ctx.ns.topics.transitions, (received) => received.some(({ value }) => codecs.transition.decode(value as Buffer).transitionId === 'marker'));
    assert.equal(after.length, before + 1, 'only the marker was added');
  });
});
