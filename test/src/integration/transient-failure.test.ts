import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin } from 'kafkajs';
import { codecs, dlqTopic, type ServiceRuntime } from '@rec/shared';
import { ServiceStack, metricValue } from '../harness/service-stack';
import {
  TcpProxy,
  openTestContext,
  redisUrl,
  sampleCatalogItem,
  sampleRequest,
  sleep,
  waitFor,
  type TestContext,
} from '../harness';

const SESSION_TIMEOUT_MS = 6_000;
/** How long Redis stops answering: more than two consumer-group sessions. */
const STALL_MS = 2.5 * SESSION_TIMEOUT_MS;

/**
 * Failure semantics (README "Failure semantics"), on the real actor, Kafka and Redis: Redis stops
 * answering (a TCP proxy in front of it holds every byte, like a paused Redis) for longer than two
 * consumer-group sessions while requests keep arriving. A transient failure must never reach the
 * dead-letter topic; the partition backs off and retries, readiness goes false, the failures are
 * counted, the actor keeps its group membership (heartbeats during the retries), and once Redis
 * answers again every request is answered exactly once.
 */
describe('a Redis stall longer than the consumer session', () => {
  let ctx: TestContext;
  let proxy: TcpProxy;
  let actor: ServiceRuntime;
  let admin: Admin;
  const requestsBefore = 10;
  const requestsDuring = 20;
  const request = (index: number) => sampleRequest({ requestId: `r-${index}`, userId: `user-${index % 5}`, candidateItemIds: null, contextItemId: null, slateSize: 2 });
  const readyz = async () => (await fetch(`http://127.0.0.1:${actor.health.port}/readyz`)).status;
  const endOffsetSum = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
  const memberIds = async () => (await admin.describeGroups([ctx.ns.groupId('actor')])).groups[0].members.map((member) => member.memberId).sort();

  before(async () => {
    ctx = await openTestContext('transient-failure');
    await ctx.createTopics(2);
    admin = ctx.kafka.admin();
    await admin.connect();
    ctx.onCleanup(() => admin.disconnect());
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, [1, 2, 3, 4, 5].map((n) => sampleCatalogItem({ itemId: `item-${n}` })), (item) => item.itemId);
    const target = new URL(redisUrl());
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    ctx.onCleanup(() => proxy.stop());
    actor = await new ServiceStack(ctx).actor({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_COMMAND_TIMEOUT_MS: '1000',
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      ACTOR_POLICY: 'random',
    });
  });
  after(() => ctx.cleanup());

  it('binds its metrics server to 127.0.0.1 by default (METRICS_HOST)', () => {
    assert.equal(actor.health.address, '127.0.0.1');
  });

  it('answers requests, is ready', async () => {
    await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, Array.from({ length: requestsBefore }, (_, index) => request(index)), (r) => r.userId);
    await waitFor(async () => (await endOffsetSum(ctx.ns.topics.actions)) >= requestsBefore, { what: 'the first actions', timeoutMs: 60_000 });
    await waitFor(async () => (await readyz()) === 200, { what: 'readiness' });
  });

  it('retries through the stall without dead-lettering, reports not ready, keeps its group membership', async () => {
    const membersBefore = await memberIds();
    assert.equal(membersBefore.length, 1);
    proxy.stall();
    await ctx.produceRecords(
      ctx.ns.topics.requests,
      codecs.request,
      Array.from({ length: requestsDuring }, (_, index) => request(requestsBefore + index)),
      (r) => r.userId,
    );
    await waitFor(async () => (await metricValue(actor, 'rec_transient_failures_total')) >= 2, { what: 'retried transient failures', timeoutMs: 30_000 });
    assert.equal(await readyz(), 503, 'not ready while a partition retries');
    assert.equal(await metricValue(actor, 'rec_retrying_partitions'), 1);
    await sleep(STALL_MS);
    assert.equal(await endOffsetSum(dlqTopic(ctx.ns.topics.requests)), 0, 'an outage is never dead-lettered');
    assert.equal(await endOffsetSum(ctx.ns.topics.actions), requestsBefore, 'nothing answered while Redis is away');
    proxy.resume();

    await waitFor(async () => (await endOffsetSum(ctx.ns.topics.actions)) >= requestsBefore + requestsDuring, { what: 'every request answered', timeoutMs: 60_000 });
    await waitFor(async () => (await readyz()) === 200, { what: 'ready again', timeoutMs: 30_000 });
    assert.deepEqual(await memberIds(), membersBefore, 'the same member: no session expiry, no rebalance');
    assert.equal(await metricValue(actor, 'rec_retrying_partitions'), 0);
  });

  it('answered every request exactly once and dead-lettered nothing', async () => {
    const actions = await ctx.consumeUntil(ctx.ns.topics.actions, (received) => received.length >= requestsBefore + requestsDuring);
    const ids = actions.map((message) => codecs.action.decode(message.value).requestId);
    assert.equal(new Set(ids).size, requestsBefore + requestsDuring);
    assert.equal(await endOffsetSum(ctx.ns.topics.actions), requestsBefore + requestsDuring, 'no duplicate action');
    assert.equal(await endOffsetSum(dlqTopic(ctx.ns.topics.requests)), 0);
  });
});
