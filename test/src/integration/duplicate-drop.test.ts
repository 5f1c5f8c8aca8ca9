import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PendingRequestStore } from '@rec/joiner';
import { openTestContext, sleep, type TestContext } from '../harness';

/**
 * The joiner's duplicate drop on the real Redis: a redelivered requestId or eventId is refused, the ids
 * live in one sorted set per user (not a key per id), and ids older than the memory are forgotten.
 */
describe('joiner duplicate drop', () => {
  let ctx: TestContext;

  before(async () => {
    ctx = await openTestContext('dedup');
  });
  after(() => ctx.cleanup());

  // Each store defines its scripts on a connection of its own, closed at the end.
  const storeWith = (dedupTtlMs: number) => {
    const redis = ctx.redis.duplicate();
    ctx.onCleanup(() => redis.quit());
    return new PendingRequestStore(redis, ctx.ns.keys, { ttlMs: 60_000, rewardWaitMs: 60_000, dedupTtlMs, historyLength: 50, historyTtlMs: 60_000 });
  };
  const action = (requestId: string, userId: string) => ({ requestId, userId, servedAt: Date.now(), modelVersion: 0, items: [{ itemId: 'i1', position: 0, propensity: 1 }] });
  const click = (eventId: string, userId: string, requestId: string) => ({
    eventId, userId, requestId, itemId: 'i1', historyEntry: `${Date.now()}|CLICK|i1`, reward: 1, impression: false, arrivedAt: Date.now(),
  });

  it('claims a request before emitting it: feedback after the claim is after-emission, never folded into a hash about to be deleted', async () => {
    const store = storeWith(60_000);
    await store.recordAction(action('c1', 'u9'), 0, Date.now());
    assert.equal(await store.applyFeedback(click('ce1', 'u9', 'c1')), 'counted', 'before the claim the click counts');
    const [claimed, unclaimed] = await store.claimAndLoad(['c1', 'no-action-yet']);
    assert.equal(await store.applyFeedback({ ...click('ce2', 'u9', 'c1'), itemId: 'i1' }), 'after-emission', 'after the claim it is refused, and says so');
    assert.equal(claimed?.rewards.get('i1'), 1, 'the emission reads exactly the reward counted before the claim');
    assert.equal((await store.load(['c1']))[0]?.rewards.get('i1'), 1, 'and nothing was added after it');
    assert.equal(unclaimed, null, 'a request without its action is not claimed (no hash is created)');
    assert.equal(await ctx.redis.exists(ctx.ns.keys.pendingRequest('no-action-yet')), 0);
  });

  it('refuses a requestId and an eventId seen before, and keeps one set of ids per user', async () => {
    const store = storeWith(60_000);
    assert.equal(await store.recordAction(action('r1', 'u1'), 0, Date.now() + 60_000), '', 'the first request of u1 has no predecessor');
    assert.equal(await store.recordAction(action('r1', 'u1'), 0, Date.now() + 60_000), null, 'the same requestId again is a duplicate');
    assert.equal(await store.recordAction(action('r2', 'u1'), 0, Date.now() + 60_000), 'r1');

    assert.equal(await store.applyFeedback(click('e1', 'u1', 'r1')), 'counted');
    assert.equal(await store.applyFeedback(click('e1', 'u1', 'r1')), 'duplicate');
    const [pending] = await store.load(['r1']);
    assert.equal(pending?.rewards.get('i1'), 1, 'the duplicate click added no reward');

    // Three ids of u1 (two requests, one event) in one sorted set; no key per id.
    assert.equal(await ctx.redis.zcard(ctx.ns.keys.userSeenIds('u1')), 3);
    const perIdKeys = await ctx.redis.keys(`${ctx.ns.keys.pattern().slice(0, -1)}seen:*`);
    assert.deepEqual(perIdKeys, []);
    const ttl = await ctx.redis.pttl(ctx.ns.keys.userSeenIds('u1'));
    assert.ok(ttl > 50_000 && ttl <= 60_000, `the set expires with the memory, pttl ${ttl}`);
  });

  it('forgets ids older than the memory', async () => {
    const store = storeWith(300);
    assert.equal(await store.applyFeedback(click('old', 'u2', 'r9')), 'counted');
    await sleep(400);
    assert.equal(await store.applyFeedback(click('new', 'u2', 'r9')), 'counted');
    assert.equal(await ctx.redis.zcard(ctx.ns.keys.userSeenIds('u2')), 1, 'the old id was trimmed');
    assert.equal(await store.applyFeedback(click('new', 'u2', 'r9')), 'duplicate', 'the recent one is still remembered');
  });
});
