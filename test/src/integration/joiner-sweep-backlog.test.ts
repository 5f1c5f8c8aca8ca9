import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PendingRequestStore, SweepFailure, readJoinerConfig } from '@rec/joiner';
import { BatchingProducer, LiveCatalog, RequestStateStore, codecs } from '@rec/shared';
import { joinerOnRedis, openTestContext, recordingLogger, sampleCatalogItem, sleep, type TestContext } from '../harness';

const PENDING_TTL_MS = 60_000;
const REWARD_WAIT_MS = 60_000;

/**
 * A joiner that is behind, on the real Redis and broker: a backlog of several batches on several
 * partitions is emitted by one sweep with each request exactly once (the next batch is prepared while the
 * previous one is in its send, and must skip it); while it cannot emit, the age of its oldest due request
 * is a metric; what it reaches too late is dropped, counted by reason and logged, and due-queue entries
 * older than any pending request leave the queue without being walked one by one.
 */
describe('joiner sweep backlog', () => {
  let ctx: TestContext;
  let real: BatchingProducer;
  const catalog = new LiveCatalog();
  catalog.upsert(sampleCatalogItem({ itemId: 'i1' }));

  before(async () => {
    ctx = await openTestContext('sweep-backlog');
    await ctx.createTopics(2);
    real = new BatchingProducer(ctx.kafka);
    await real.connect();
    ctx.onCleanup(() => real.disconnect());
  });
  after(() => ctx.cleanup());

  const joinerWith = (producer: BatchingProducer) => {
    const redis = ctx.redis.duplicate();
    ctx.onCleanup(() => redis.quit());
    const pending = new PendingRequestStore(redis, ctx.ns.keys, { ttlMs: PENDING_TTL_MS, rewardWaitMs: REWARD_WAIT_MS, dedupTtlMs: 600_000, historyLength: 50, historyTtlMs: 60_000 });
    const { logger, warnings } = recordingLogger();
    const { joiner, metric } = joinerOnRedis(ctx, { redis, pending, producer, catalog, config: readJoinerConfig({ JOINER_SWEEP_PHASE_TIMEOUT_MS: '20000' }), logger });
    return { joiner, pending, warnings, metric };
  };

  /** Served requests of one partition due at `dueAt`, with their recorded states unless `withState` is false: one transition each. */
  const serve = async (pending: PendingRequestStore, partition: number, requestIds: string[], dueAt: number, withState = true) => {
    const now = Date.now();
    if (withState) {
      const states = new RequestStateStore(ctx.redis, ctx.ns.keys, 60_000);
      await states.putMany(requestIds.map((requestId) => ({ requestId, requestTimestamp: now, state: Buffer.from(new Float32Array([1, 2]).buffer) })));
    }
    await Promise.all(
      requestIds.map((requestId) =>
        pending.recordAction({ requestId, userId: `u-${requestId}`, servedAt: now - 1_000, modelVersion: 0, items: [{ itemId: 'i1', position: 0, propensity: 1 }] }, partition, dueAt),
      ),
    );
  };

  const gaugeValue = async (metric: (name: string) => Promise<string>, name: string) => Number(new RegExp(`^${name}(?:{[^}]*})? (\\S+)$`, 'm').exec(await metric(name))?.[1]);
  const counterOf = async (metric: (name: string) => Promise<string>, name: string, reason: string) =>
    Number(new RegExp(`^${name}{[^}]*reason="${reason}"[^}]*} (\\S+)$`, 'm').exec(await metric(name))?.[1] ?? 0);

  it('emits a backlog of several batches on several partitions in one sweep, each request exactly once', async () => {
    const { joiner, pending } = joinerWith(real);
    joiner.setOwnedPartitions([0, 1]);
    // 512 requests a batch: three batches on partition 0, two on partition 1.
    const first = Array.from({ length: 1_200 }, (_, index) => `b0-${index}`);
    const second = Array.from({ length: 700 }, (_, index) => `b1-${index}`);
    await serve(pending, 0, first, Date.now() - 1);
    await serve(pending, 1, second, Date.now() - 1);

    await joiner.sweep();
    assert.equal(await pending.pendingCount([0, 1]), 0, 'one sweep emptied both due queues');
    const marker = await ctx.redis.hgetall(ctx.ns.keys.pendingRequest('b0-1199'));
    assert.deepEqual(marker, { emitted: '1' }, 'an emitted request leaves only its emitted marker');
    const ttl = await ctx.redis.pttl(ctx.ns.keys.pendingRequest('b0-1199'));
    assert.ok(ttl > 0 && ttl <= REWARD_WAIT_MS, `the marker lives for the reward wait, pttl ${ttl}`);

    const expected = [...first, ...second].sort();
    const received = await ctx.consumeUntil(ctx.ns.topics.transitions, (messages) => messages.length >= expected.length);
    // Anything sent twice would arrive with or just after the rest.
    await sleep(500);
    const all = await ctx.consumeUntil(ctx.ns.topics.transitions, (messages) => messages.length >= received.length, { timeoutMs: 5_000 });
    const requestIds = all.map((message) => codecs.transition.decode(message.value as Buffer).requestId).sort();
    assert.equal(requestIds.length, expected.length, `${requestIds.length} transitions for ${expected.length} requests`);
    assert.deepEqual(requestIds, expected, 'each request became its transition exactly once');
  });

  it('shows how long its oldest due request has waited while it cannot emit, and 0 once it caught up', async () => {
    const refusing = { sendAll: () => Promise.reject(new Error('broker refuses')), backlog: () => real.backlog() } as unknown as BatchingProducer;
    const stuck = joinerWith(refusing);
    stuck.joiner.setOwnedPartitions([0]);
    await serve(stuck.pending, 0, ['age-a', 'age-b'], Date.now() - 5_000);

    await assert.rejects(stuck.joiner.sweep(), (error: unknown) => error instanceof SweepFailure && error.phase === 'send');
    const age = await gaugeValue(stuck.metric, 'rec_joiner_oldest_due_age_seconds');
    assert.ok(age >= 5 && age < 60, `rec_joiner_oldest_due_age_seconds ${age} for requests due 5 s ago and not emitted`);
    assert.equal(await stuck.pending.pendingCount([0]), 2, 'a failed send leaves its requests due');

    const { joiner, metric } = joinerWith(real);
    joiner.setOwnedPartitions([0]);
    await joiner.sweep();
    assert.equal(await gaugeValue(metric, 'rec_joiner_oldest_due_age_seconds'), 0, 'nothing due is left after a completed sweep');
  });

  it('drops what it reaches too late, counts it by reason and warns; entries older than any pending request leave the queue at once', async () => {
    const { joiner, pending, warnings, metric } = joinerWith(real);
    joiner.setOwnedPartitions([1]);
    const now = Date.now();
    // An entry due longer ago than a pending hash can live (ttl + reward wait): its hash is long gone.
    await ctx.redis.zadd(ctx.ns.keys.dueQueue(1), now - PENDING_TTL_MS - REWARD_WAIT_MS - 1_000, 'long-gone');
    await serve(pending, 1, ['state-expired'], now - 1, false);
    await serve(pending, 1, ['in-time'], now - 1);

    await joiner.sweep();
    assert.equal(await counterOf(metric, 'rec_joiner_requests_dropped_total', 'expired'), 1, 'the entry older than any pending request is counted as expired');
    assert.equal(await counterOf(metric, 'rec_joiner_requests_dropped_total', 'missing-state'), 1);
    assert.equal(await counterOf(metric, 'rec_joiner_requests_dropped_total', 'no-action'), 0, 'the expired entry was not walked as a request without its action');
    assert.equal(await pending.pendingCount([1]), 0, 'nothing dropped stays on the due queue');
    const warning = warnings.find(({ message }) => message.startsWith('requests dropped'));
    assert.equal(warning?.fields.dropped, 2, 'one warning names both losses');
    assert.equal(warning?.fields.partition, 1);
    const received = await ctx.consumeUntil(ctx.ns.topics.transitions, (messages) => messages.some((message) => codecs.transition.decode(message.value as Buffer).requestId === 'in-time'));
    assert.ok(received.length > 0, 'the request reached in time was emitted');
  });
});
