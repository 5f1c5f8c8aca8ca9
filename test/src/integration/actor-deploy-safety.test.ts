import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin } from 'kafkajs';
import { codecs, type RecommendationAction, type RecommendationRequest, type ServiceRuntime } from '@rec/shared';
import { ServiceStack, metricValue } from '../harness/service-stack';
import { openTestContext, sampleCatalogItem, sampleRequest, sleep, type TestContext } from '../harness';

/**
 * Deploy safety of the actor (README "Failure semantics"): a new actor group starts at the end of
 * rec.requests.v1, a request older than ACTOR_MAX_REQUEST_AGE_MS is skipped and counted, and epsilon's
 * schedule belongs to the model (a restarted actor continues the decay from the decisions counted in Redis),
 * and a request the actor has already answered (redelivered, or published twice) is not answered again.
 */
describe('actor deploy safety', () => {
  let ctx: TestContext;
  let admin: Admin;
  let stack: ServiceStack;
  let actor: ServiceRuntime;
  const actions = new Map<string, RecommendationAction>();
  let probes = 0;
  const request = (requestId: string, userId = 'user-a'): RecommendationRequest =>
    sampleRequest({ requestId, userId, candidateItemIds: null, contextItemId: null, slateSize: 2 });
  const produce = async (requests: RecommendationRequest[], timestamp?: number) => {
    const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: ctx.ns.topics.requests,
      acks: -1,
      messages: requests.map((r) => ({ key: r.userId, value: codecs.request.encode(r), ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }) })),
    });
    await producer.disconnect();
  };
  /** Reads every action so far (the actions topic from the beginning, up to its end offsets). */
  const readActions = async () => {
    const total = (await admin.fetchTopicOffsets(ctx.ns.topics.actions)).reduce((sum, { high }) => sum + Number(high), 0);
    if (total === 0) return;
    const received = await ctx.consumeUntil(ctx.ns.topics.actions, (messages) => messages.length >= total);
    for (const message of received) {
      const action = codecs.action.decode(message.value);
      actions.set(action.requestId, action);
    }
  };
  /** Sends probe requests on user `userId` until one is answered; returns its id. */
  const probeUntilAnswered = async (userId: string): Promise<string> => {
    for (;;) {
      const probeId = `probe-${(probes += 1)}`;
      await produce([request(probeId, userId)]);
      for (let check = 0; check < 10; check += 1) {
        await sleep(300);
        await readActions();
        const answered = [...actions.keys()].find((id) => id.startsWith('probe-') && !answeredProbes.has(id));
        if (answered !== undefined) {
          answeredProbes.add(answered);
          return answered;
        }
      }
    }
  };
  const answeredProbes = new Set<string>();

  before(async () => {
    ctx = await openTestContext('deploy-safety');
    await ctx.createTopics(1);
    admin = ctx.kafka.admin();
    await admin.connect();
    ctx.onCleanup(() => admin.disconnect());
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, [1, 2, 3, 4, 5, 6].map((n) => sampleCatalogItem({ itemId: `item-${n}` })), (item) => item.itemId);
    // A request that was on the topic before any actor existed.
    await produce([request('before-deploy')]);
    // KAFKA_START_FROM=default (the actor's own default, latest) instead of the tests' earliest.
    stack = new ServiceStack(ctx, { KAFKA_START_FROM: 'default', ACTOR_EPSILON_START: '1', ACTOR_EPSILON_END: '0', ACTOR_EPSILON_DECAY_DECISIONS: '100' });
    actor = await stack.actor();
  });
  after(() => ctx.cleanup());

  it('a new actor group starts at the end: the request from before the deploy is never answered', async () => {
    await probeUntilAnswered('user-a');
    // Same key, same partition: anything before the probe was either answered by now or skipped.
    assert.equal(actions.has('before-deploy'), false);
  });

  it('skips and counts a request older than ACTOR_MAX_REQUEST_AGE_MS, and answers the one behind it', async () => {
    await produce([request('stale')], Date.now() - 120_000);
    await probeUntilAnswered('user-a');
    assert.equal(actions.has('stale'), false, 'the stale request got no action');
    assert.equal(await metricValue(actor, 'rec_actor_stale_requests_total'), 1);
  });

  it('observes request-to-action latency per answered request', async () => {
    await readActions();
    const text = await actor.metrics.registry.metrics();
    const observed = Number(/rec_actor_request_to_action_seconds_count\{[^}]*\} (\d+)/.exec(text)?.[1]);
    assert.equal(observed, actions.size, 'one observation per answered request');
  });

  it('answers a request published twice once, whether the repeat is in the same batch or a later one, and counts the repeats', async () => {
    await produce([request('twice', 'user-d'), request('twice', 'user-d')]);
    await probeUntilAnswered('user-d');
    // Again, after its action was acknowledged: what a group redelivering uncommitted offsets looks like.
    await produce([request('twice', 'user-d')]);
    await probeUntilAnswered('user-d');
    const total = (await admin.fetchTopicOffsets(ctx.ns.topics.actions)).reduce((sum, { high }) => sum + Number(high), 0);
    const received = await ctx.consumeUntil(ctx.ns.topics.actions, (messages) => messages.length >= total);
    const answers = received.filter((message) => codecs.action.decode(message.value).requestId === 'twice');
    assert.equal(answers.length, 1, 'one action for the request published three times');
    assert.equal(await metricValue(actor, 'rec_actor_repeated_requests_total'), 2);
  });

  it('keeps epsilon per model: a restarted actor continues the decay from the count in Redis', async () => {
    await produce(Array.from({ length: 40 }, (_, index) => request(`batch-${index}`, `user-${index % 4}`)));
    await probeUntilAnswered('user-b');
    const counted = Number(await ctx.redis.get(ctx.ns.keys.modelDecisions('ddqn')));
    assert.equal(counted, actions.size, 'every decision counted once');
    const before = [...actions.values()].map((action) => action.epsilon);
    assert.ok(Math.min(...before) < 0.7, `the decay advanced (min epsilon ${Math.min(...before)})`);

    await actor.shutdown();
    actor = await stack.actor();
    const answered = await probeUntilAnswered('user-c');
    const epsilon = actions.get(answered)!.epsilon;
    // A per-process schedule would restart at ACTOR_EPSILON_START (1).
    assert.ok(epsilon <= 1 - counted / 100 + 1e-9, `the restarted actor serves epsilon ${epsilon}, after ${counted} decisions`);
  });
});
