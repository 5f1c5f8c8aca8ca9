import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PendingRequestStore, readJoinerConfig, type ServedRequest, type FeedbackFold } from '@rec/joiner';
import {
  BatchingProducer,
  DeadLetterPublisher,
  LiveCatalog,
  ServiceMetrics,
  codecs,
  createRedis,
  runBatchConsumer,
  validateAction,
  validateFeedback,
  type ConsumedRecord,
  type Redis,
  type RecommendationAction,
  type UserFeedback,
} from '@rec/shared';
import { TcpProxy, consumedRecord, joinerOnRedis, openTestContext, redisUrl, sampleAction, sampleCatalogItem, sampleFeedback, waitFor, type TestContext } from '../harness';

const PENDING_OPTIONS = { ttlMs: 600_000, rewardWaitMs: 60_000, dedupTtlMs: 3_600_000, historyLength: 50, historyTtlMs: 60_000 };
/** Short, so a stalled Redis fails a script call quickly (a retriable error, as in the services). */
const COMMAND_TIMEOUT_MS = 300;
/** How long the proxy holds a script call: past its timeout, so Redis applies it after the joiner gave up on it. */
const STALL_MS = 3 * COMMAND_TIMEOUT_MS;

/** A PendingRequestStore whose next chunk call of one kind runs `fault` first (the test's way to time a Redis stall). */
class StoreWithFault extends PendingRequestStore {
  beforeNextRecording: (() => void) | null = null;
  beforeNextFolding: (() => void) | null = null;

  override recordActions(requests: readonly ServedRequest[]) {
    const fault = this.beforeNextRecording;
    this.beforeNextRecording = null;
    fault?.();
    return super.recordActions(requests);
  }

  override applyFeedbackEvents(events: readonly FeedbackFold[]) {
    const fault = this.beforeNextFolding;
    this.beforeNextFolding = null;
    fault?.();
    return super.applyFeedbackEvents(events);
  }
}

/**
 * The joiner's consumption on the real Redis (and, for the retry, the real broker and consumer loop): a chunk's
 * events are folded in a few script calls, and its guarantees hold as they did one message at a time:
 * duplicates dropped within and across chunks, feedback before its action still counted, and a chunk that
 * fails on a transient Redis error (a script applied but its reply lost) retried whole: nothing counted
 * twice, and every action still linked to its successor.
 */
describe('joiner consumption', () => {
  let ctx: TestContext;
  let producer: BatchingProducer;
  const catalog = new LiveCatalog();
  catalog.upsert(sampleCatalogItem({ itemId: 'item-1' }));
  catalog.upsert(sampleCatalogItem({ itemId: 'item-2' }));
  const config = readJoinerConfig({});

  before(async () => {
    ctx = await openTestContext('joiner-consumption');
    await ctx.createTopics(1);
    producer = new BatchingProducer(ctx.kafka);
    await producer.connect();
    ctx.onCleanup(() => producer.disconnect());
  });
  after(() => ctx.cleanup());

  const joinerOn = (redis: Redis) => {
    const pending = new StoreWithFault(redis, ctx.ns.keys, PENDING_OPTIONS);
    const { joiner, serviceMetrics } = joinerOnRedis(ctx, { redis, pending, producer, catalog, config, logger: ctx.logger });
    const counter = async (name: string, labels: Record<string, string> = {}) => {
      const metric = serviceMetrics.registry.getSingleMetric(name);
      if (metric === undefined) return 0;
      const values = (await metric.get()).values.filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted));
      return values.reduce((sum, { value }) => sum + value, 0);
    };
    return { joiner, pending, counter };
  };
  const ownConnection = () => {
    const redis = ctx.redis.duplicate();
    ctx.onCleanup(() => redis.quit());
    return redis;
  };
  const actionRecord = (partition: number, action: RecommendationAction, offset: number): ConsumedRecord<RecommendationAction | UserFeedback> =>
    consumedRecord(ctx.ns.topics.actions, action, { partition, offset });
  const feedbackRecord = (partition: number, feedback: UserFeedback, offset: number): ConsumedRecord<RecommendationAction | UserFeedback> =>
    consumedRecord(ctx.ns.topics.feedback, feedback, { partition, offset });
  const click = (eventId: string, userId: string, requestId: string, itemId = 'item-2') => sampleFeedback({ eventId, userId, requestId, itemId, type: 'CLICK' });
  const impression = (eventId: string, userId: string, requestId: string, itemId = 'item-1') => sampleFeedback({ eventId, userId, requestId, itemId, type: 'IMPRESSION' });
  const reader = () => new PendingRequestStore(ctx.redis, ctx.ns.keys, PENDING_OPTIONS);

  it('drops duplicate actions and feedback within a chunk and across chunks', async () => {
    const { joiner, counter } = joinerOn(ownConnection());
    const a1 = sampleAction({ requestId: 'd-r1', userId: 'd-u1' });
    const a2 = sampleAction({ requestId: 'd-r2', userId: 'd-u1' });
    await joiner.handle([actionRecord(0, a1, 0), actionRecord(0, a1, 1), actionRecord(0, a2, 2)]);
    await joiner.handle([feedbackRecord(0, click('d-e1', 'd-u1', 'd-r1'), 0), feedbackRecord(0, click('d-e1', 'd-u1', 'd-r1'), 1), feedbackRecord(0, impression('d-e2', 'd-u1', 'd-r2'), 2)]);
    // Redelivered: a later chunk repeats an action and both events.
    await joiner.handle([actionRecord(0, a2, 2)]);
    await joiner.handle([feedbackRecord(0, click('d-e1', 'd-u1', 'd-r1'), 1), feedbackRecord(0, impression('d-e2', 'd-u1', 'd-r2'), 2)]);

    const [r1, r2] = await reader().load(['d-r1', 'd-r2']);
    assert.equal(r1?.rewards.get('item-2'), config.rewardWeights.CLICK, 'the click counted once');
    assert.equal(r1?.nextRequestId, 'd-r2', 'd-r1 is linked to its successor');
    assert.deepEqual([...(r2?.impressions ?? [])], ['item-1']);
    assert.equal(r2?.nextRequestId, null);
    assert.equal(await counter('rec_joiner_duplicate_actions_total'), 2, 'one duplicate action within the chunk, one across');
    assert.equal(await counter('rec_joiner_feedback_total', { outcome: 'duplicate' }), 3, 'one duplicate event within the chunk, two across');
    assert.equal(await counter('rec_joiner_feedback_total', { outcome: 'counted' }), 2);
    assert.equal(await ctx.redis.llen(ctx.ns.keys.userEngagements('d-u1')), 1, 'the history holds the click once');
    assert.equal(await ctx.redis.llen(ctx.ns.keys.userExposures('d-u1')), 1, 'and the impression once');
  });

  it('caps a history that one chunk pushes past its length, newest first', async () => {
    const { joiner } = joinerOn(ownConnection());
    const clicks = Array.from({ length: PENDING_OPTIONS.historyLength + 10 }, (_, index) =>
      feedbackRecord(0, sampleFeedback({ eventId: `h-e${index}`, userId: 'h-u1', requestId: null, itemId: 'item-1', type: 'CLICK', timestamp: 1_700_000_000_000 + index }), index),
    );
    await joiner.handle(clicks);
    const history = await ctx.redis.lrange(ctx.ns.keys.userEngagements('h-u1'), 0, -1);
    assert.equal(history.length, PENDING_OPTIONS.historyLength);
    assert.equal(history[0].split('|')[1], String(1_700_000_000_000 + clicks.length - 1), 'the newest entry first');
    assert.equal(history.at(-1)?.split('|')[1], String(1_700_000_000_000 + 10), 'the oldest ten trimmed');
    const ttl = await ctx.redis.pttl(ctx.ns.keys.userEngagements('h-u1'));
    assert.ok(ttl > 0 && ttl <= PENDING_OPTIONS.historyTtlMs, `the list expires, pttl ${ttl}`);
  });

  it('counts feedback that arrives before its action', async () => {
    const { joiner, counter } = joinerOn(ownConnection());
    await joiner.handle([feedbackRecord(0, click('b-e1', 'b-u1', 'b-r1'), 0), feedbackRecord(0, impression('b-e2', 'b-u1', 'b-r1', 'item-2'), 1)]);
    assert.deepEqual(await reader().load(['b-r1']), [null], 'no action yet: nothing to emit');
    await joiner.handle([actionRecord(0, sampleAction({ requestId: 'b-r1', userId: 'b-u1' }), 0)]);
    const [r1] = await reader().load(['b-r1']);
    assert.equal(r1?.rewards.get('item-2'), config.rewardWeights.CLICK + config.rewardWeights.IMPRESSION, 'the early click is part of the request');
    assert.deepEqual([...(r1?.impressions ?? [])], ['item-2']);
    assert.deepEqual(r1?.items.map(({ itemId }) => itemId), ['item-2', 'item-1'], 'and the action recorded its slate over it');
    assert.equal(await counter('rec_joiner_feedback_total', { outcome: 'counted' }), 2);
  });

  it('retries a chunk that failed on a transient Redis error whole, through the consumer, without counting anything twice', async () => {
    // The joiner's connection as the services make it (auto-pipelined, command timeout), through a proxy that can hold its bytes.
    const target = new URL(redisUrl());
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    ctx.onCleanup(() => proxy.stop());
    const redis = createRedis(`redis://127.0.0.1:${proxy.port}`, ctx.logger, { commandTimeoutMs: COMMAND_TIMEOUT_MS });
    ctx.onCleanup(() => redis.quit());
    const { joiner, pending, counter } = joinerOn(redis);
    // The first chunk of each topic: its script call is held past its timeout (the chunk fails, retriably), then
    // delivered, so Redis applies it after the joiner gave up on it; the retry finds every event already seen.
    const stallOnce = () => {
      proxy.stall();
      setTimeout(() => proxy.resume(), STALL_MS);
    };
    pending.beforeNextRecording = stallOnce;
    pending.beforeNextFolding = stallOnce;

    const actions = [
      sampleAction({ requestId: 't-r1', userId: 't-u1' }),
      sampleAction({ requestId: 't-r2', userId: 't-u1' }),
      sampleAction({ requestId: 't-r3', userId: 't-u1' }),
      sampleAction({ requestId: 't-r4', userId: 't-u2' }),
      sampleAction({ requestId: 't-r5', userId: 't-u2' }),
    ];
    const feedback = [
      click('t-e1', 't-u1', 't-r1'),
      impression('t-e2', 't-u1', 't-r1'),
      click('t-e3', 't-u1', 't-r2'),
      click('t-e4', 't-u2', 't-r4'),
      click('t-e4', 't-u2', 't-r4'),
      sampleFeedback({ eventId: 't-e5', userId: 't-u2', requestId: null, itemId: 'item-1', type: 'CLICK' }),
    ];
    await ctx.produceRecords(ctx.ns.topics.actions, codecs.action, actions, (action) => action.userId);

    const consumer = ctx.kafka.consumer({ groupId: ctx.ns.groupId('joiner'), sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    ctx.onCleanup(() => consumer.disconnect());
    const consumerMetrics = new ServiceMetrics('joiner');
    await runBatchConsumer<RecommendationAction | UserFeedback>({
      consumer,
      decoders: {
        [ctx.ns.topics.actions]: (bytes) => validateAction(codecs.action.decode(bytes)),
        [ctx.ns.topics.feedback]: (bytes) => validateFeedback(codecs.feedback.decode(bytes)),
      },
      handle: (records) => joiner.handle(records),
      deadLetters: new DeadLetterPublisher(producer, consumerMetrics, ctx.logger),
      metrics: consumerMetrics,
      logger: ctx.logger,
      maxChunk: 1_000,
      backoff: { initialMs: 100, maxMs: 500 },
    });
    const consumed = async (topic: string) => ((await consumerMetrics.registry.getSingleMetric('rec_consumed_messages_total')?.get())?.values ?? [])
      .filter(({ labels }) => labels.topic === topic).reduce((sum, { value }) => sum + value, 0);
    await waitFor(async () => (await consumed(ctx.ns.topics.actions)) === actions.length, { what: 'the actions handled', timeoutMs: 30_000 });
    await ctx.produceRecords(ctx.ns.topics.feedback, codecs.feedback, feedback, (event) => event.userId);
    await waitFor(async () => (await consumed(ctx.ns.topics.feedback)) === feedback.length, { what: 'the feedback handled', timeoutMs: 30_000 });

    const failures = (await consumerMetrics.registry.getSingleMetric('rec_transient_failures_total')?.get())?.values ?? [];
    const failedTopics = new Set(failures.filter(({ value }) => value > 0).map(({ labels }) => labels.topic));
    assert.deepEqual([...failedTopics].sort(), [ctx.ns.topics.actions, ctx.ns.topics.feedback].sort(), 'each topic\'s first chunk failed transiently and was retried');
    const deadLettered = (await consumerMetrics.registry.getSingleMetric('rec_dlq_messages_total')?.get())?.values ?? [];
    assert.equal(deadLettered.reduce((sum, { value }) => sum + value, 0), 0, 'nothing dead-lettered');

    const [r1, r2, r3, r4, r5] = await reader().load(['t-r1', 't-r2', 't-r3', 't-r4', 't-r5']);
    assert.deepEqual([r1, r2, r3, r4, r5].map((request) => request?.nextRequestId), ['t-r2', 't-r3', null, 't-r5', null], 'every action linked to its successor, though the retry found them all recorded');
    const dueAt = new Map<string, number>();
    const due = await ctx.redis.zrange(ctx.ns.keys.dueQueue(0), 0, -1, 'WITHSCORES');
    for (let index = 0; index < due.length; index += 2) dueAt.set(due[index], Number(due[index + 1]));
    for (const linked of ['t-r1', 't-r2', 't-r4']) {
      assert.ok((dueAt.get(linked) ?? Infinity) < Date.now() + config.sessionTimeoutMs / 2, `${linked} is due after the join wait, not at the session timeout`);
    }
    assert.equal(r1?.rewards.get('item-2'), config.rewardWeights.CLICK, 'the click counted once, though its chunk was applied twice');
    assert.deepEqual([...(r1?.impressions ?? [])], ['item-1']);
    assert.equal(r2?.rewards.get('item-2'), config.rewardWeights.CLICK);
    assert.equal(r4?.rewards.get('item-2'), config.rewardWeights.CLICK, 'the duplicate within the chunk too');
    assert.equal(await ctx.redis.llen(ctx.ns.keys.userEngagements('t-u1')), 2, 'each click in the history once');
    assert.equal(await ctx.redis.llen(ctx.ns.keys.userEngagements('t-u2')), 2, 'the organic click too');
    assert.ok((await counter('rec_joiner_feedback_total', { outcome: 'counted' })) <= 4, 'no event reported as counted twice');
  });
});
