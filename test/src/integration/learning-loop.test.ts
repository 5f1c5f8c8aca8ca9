import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DLQ_HEADERS, codecs, dlqTopic, epsilonGreedyMarginals, type CatalogItem, type RecommendationAction, type RecommendationRequest, type Transition, type UserFeedback } from '@rec/shared';
import { openTestContext, waitFor, type TestContext } from '../harness';
import { ServiceStack, metricValue } from '../harness/service-stack';

/**
 * The whole loop on the real broker and Redis, services in-process: requests get actions, feedback turns
 * into transitions, the learner trains, the parameter server's version advances and the actor serves it.
 */

const ITEMS: CatalogItem[] = Array.from({ length: 12 }, (_, index) => ({
  itemId: `item-${index}`,
  category: `cat-${index % 3}`,
  price: 10 + index,
  features: [index % 3 === 0 ? 1 : 0, index / 12, 1],
  // item-11 is out of stock: it must never be served.
  available: index !== 11,
  updatedAt: 1,
}));

let requestCounter = 0;
function request(userId: string, overrides: Partial<RecommendationRequest> = {}): RecommendationRequest {
  requestCounter += 1;
  return { requestId: `req-${requestCounter}`, userId, timestamp: Date.now(), surface: 'home', contextItemId: null, candidateItemIds: null, slateSize: 4, attributes: { device: 'mobile' }, ...overrides };
}

function actionsOf(received: { value: Buffer | null }[]): RecommendationAction[] {
  return received.map((message) => codecs.action.decode(message.value));
}

describe('learning loop on the real broker', () => {
  let ctx: TestContext;
  let stack: ServiceStack;

  before(async () => {
    ctx = await openTestContext('loop');
    await ctx.createTopics(2);
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, ITEMS, (item) => item.itemId);
    stack = new ServiceStack(ctx, { JOINER_REWARD_WAIT_MS: '5000' });
  });

  after(() => ctx.cleanup());

  it('answers a request with an epsilon-greedy slate that respects availability, candidates and context', async () => {
    const actor = await stack.actor({ ACTOR_EPSILON_START: '0.5', ACTOR_EPSILON_END: '0.5' });
    const plain = request('u-a');
    const restricted = request('u-b', { candidateItemIds: ['item-1', 'item-2', 'item-11', 'unknown-item'], slateSize: 10 });
    const related = request('u-c', { surface: 'product', contextItemId: 'item-4', slateSize: 11 });
    const nothing = request('u-d', { candidateItemIds: ['item-11'] });
    await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, [plain, restricted, related, nothing], (r) => r.userId);
    const actions = actionsOf(await ctx.consumeUntil(ctx.ns.topics.actions, (received) => received.length >= 4));
    const byId = new Map(actions.map((action) => [action.requestId, action]));

    const first = byId.get(plain.requestId)!;
    assert.equal(first.items.length, 4);
    assert.equal(first.modelVersion, 0);
    assert.equal(first.policy, 'ddqn');
    assert.equal(first.epsilon, 0.5);
    assert.deepEqual(first.items.map((item) => item.position), [0, 1, 2, 3]);
    // Each propensity is the exact marginal of some greedy rank at that position (11 available items).
    const marginals = epsilonGreedyMarginals(11, 4, 0.5);
    for (const [position, item] of first.items.entries()) {
      const options = [0, 1, 2, 3, 4].map((rank) => marginals.of(rank, position));
      assert.ok(options.some((p) => Math.abs(p - item.propensity) < 1e-12), `position ${position} propensity ${item.propensity}`);
    }

    assert.deepEqual(byId.get(restricted.requestId)!.items.map((item) => item.itemId).sort(), ['item-1', 'item-2']);
    const relatedItems = byId.get(related.requestId)!.items.map((item) => item.itemId);
    assert.equal(relatedItems.length, 10, 'every available item but the one being viewed');
    assert.ok(!relatedItems.includes('item-4') && !relatedItems.includes('item-11'));
    for (const action of actions) assert.ok(!action.items.some((item) => item.itemId === 'item-11'), 'an unavailable item was served');

    assert.equal(byId.get(nothing.requestId)!.items.length, 0, 'no servable candidate: an empty slate');
    const [dead] = await ctx.consumeUntil(dlqTopic(ctx.ns.topics.requests), (received) => received.length >= 1);
    assert.equal(dead.headers[DLQ_HEADERS.reason], 'no-candidates');
    assert.equal(codecs.request.decode(dead.value).requestId, nothing.requestId);
    await actor.shutdown();
  });

  it('joins actions and feedback into transitions: rewards inside the wait, late and duplicate feedback dropped', async () => {
    await stack.actor();
    await stack.joiner({ JOINER_REWARD_WAIT_MS: '1000', JOINER_SESSION_TIMEOUT_MS: '60000' });
    const first = request('u-join');
    await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, [first], (r) => r.userId);
    const action = actionsOf(await ctx.consumeUntil(ctx.ns.topics.actions, (received) => actionsOf(received).some((a) => a.requestId === first.requestId))).find((a) => a.requestId === first.requestId)!;
    const [clicked, purchased, late] = action.items.map((item) => item.itemId);
    const feedback = (eventId: string, itemId: string, type: UserFeedback['type']): UserFeedback => ({
      eventId, userId: 'u-join', requestId: first.requestId, itemId, type, value: 0, timestamp: Date.now(),
    });
    await ctx.produceRecords(
      ctx.ns.topics.feedback,
      codecs.feedback,
      [
        feedback('e-click', clicked, 'CLICK'),
        feedback('e-click', clicked, 'CLICK'), // a duplicate eventId: counted once
        feedback('e-purchase', purchased, 'PURCHASE'),
      ],
      (f) => f.userId,
    );
    // Organic behaviour (no requestId) earns no reward but still updates the user's history. Its item is one
    // the slate did not show, so the history's count of the clicked item below counts only that click.
    const organicItem = ['item-5', 'item-6', 'item-7', 'item-8', 'item-9', 'item-10'].find((itemId) => !action.items.some((item) => item.itemId === itemId))!;
    await ctx.produceRecords(ctx.ns.topics.feedback, codecs.feedback, [{ ...feedback('e-organic', organicItem, 'PURCHASE'), requestId: null }], (f) => f.userId);
    // The reward wait is 1 s from the action's arrival: this click arrives after it.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    await ctx.produceRecords(ctx.ns.topics.feedback, codecs.feedback, [feedback('e-late', late, 'CLICK')], (f) => f.userId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = request('u-join');
    await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, [second], (r) => r.userId);

    const transitions = (await ctx.consumeUntil(ctx.ns.topics.transitions, (received) => received.length >= action.items.length)).map(
      (message) => codecs.transition.decode(message.value) as Transition,
    );
    const rewardOf = new Map(transitions.map((t) => [t.itemId, t.reward]));
    assert.equal(transitions.length, action.items.length, 'one transition per shown item');
    assert.equal(rewardOf.get(clicked), 1, 'click weight 1, the duplicate dropped');
    assert.equal(rewardOf.get(purchased), 5, 'purchase weight 5');
    assert.equal(rewardOf.get(late), 0, 'feedback after the reward wait does not count');
    for (const transition of transitions) {
      assert.equal(transition.requestId, first.requestId);
      assert.equal(transition.done, false);
      assert.ok(transition.nextState !== null && transition.nextState.byteLength === transition.state.byteLength);
      assert.ok(Math.abs(transition.propensity - action.items.find((item) => item.itemId === transition.itemId)!.propensity) < 1e-12);
      // The links a learner chains n-step returns by: the next request, and the slate's mean reward (1 + 5 + 0 + 0) / 4.
      assert.equal(transition.nextRequestId, second.requestId);
      assert.equal(transition.slateReward, 6 / action.items.length);
    }

    // The user comes back an hour later (platform clock): the second request ended its session, so its
    // transitions are done, with no next state.
    const later = request('u-join', { timestamp: second.timestamp + 3_600_000 });
    await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, [later], (r) => r.userId);
    const ofSecond = (await ctx.consumeUntil(ctx.ns.topics.transitions, (received) => received.map((m) => codecs.transition.decode(m.value)).filter((t) => t.requestId === second.requestId).length >= 4))
      .map((message) => codecs.transition.decode(message.value))
      .filter((t) => t.requestId === second.requestId);
    assert.ok(ofSecond.every((t) => t.done && t.nextState === null), 'a session boundary makes done transitions');

    // The history the actor reads: engagements apart from impressions, organic feedback included.
    const engagements = await ctx.redis.lrange(ctx.ns.keys.userEngagements('u-join'), 0, -1);
    const engagedItems = engagements.map((entry) => entry.split('|')[2]);
    assert.ok(engagedItems.includes(organicItem) && engagedItems.includes(clicked) && engagedItems.includes(purchased), `engagements: ${engagements.join(' ')}`);
    assert.equal(engagedItems.filter((itemId) => itemId === clicked).length, 1, 'the duplicate eventId is dropped from the history too');
    assert.ok(engagedItems.includes(late), 'late feedback earns no reward but still updates the history');
  });

  it('trains: the learner sends gradients, the version advances, and the actor serves the new version', async () => {
    const { server } = await stack.parameterServer();
    // Three-step returns: every user comes back each round, so its transitions chain.
    const { learner, runtime: learnerRuntime } = await stack.learner({ LEARNER_N_STEP: '3' });
    const threeStepReturns = () => metricValue(learnerRuntime, 'rec_learner_returns_total', { horizon: '3', cause: 'horizon' });
    // A tiny platform: every user clicks category-0 items it is shown.
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    let served: RecommendationAction[] = [];
    const deadline = Date.now() + 60_000;
    while ((server.currentVersion < 5 || (await threeStepReturns()) === 0) && Date.now() < deadline) {
      const batch = users.map((userId) => request(userId));
      await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, batch, (r) => r.userId);
      const wanted = new Set(batch.map((r) => r.requestId));
      served = actionsOf(await ctx.consumeUntil(ctx.ns.topics.actions, (received) => actionsOf(received).filter((a) => wanted.has(a.requestId)).length === wanted.size)).filter((a) => wanted.has(a.requestId));
      const clicks: UserFeedback[] = served.flatMap((action) =>
        action.items
          .filter((item) => Number(item.itemId.split('-')[1]) % 3 === 0)
          .map((item) => ({ eventId: `${action.requestId}/${item.itemId}`, userId: action.userId, requestId: action.requestId, itemId: item.itemId, type: 'CLICK' as const, value: 0, timestamp: Date.now() })),
      );
      await ctx.produceRecords(ctx.ns.topics.feedback, codecs.feedback, clicks, (f) => f.userId);
    }
    assert.ok(server.currentVersion >= 5, `parameter server version ${server.currentVersion}`);
    assert.ok((await metricValue(learnerRuntime, 'rec_learner_train_steps_total')) >= 5);
    assert.ok((await threeStepReturns()) > 0, 'the learner chained three steps of a user into one return');
    assert.ok(learner.weightsVersion >= 1, 'the learner adopted broadcast weights');
    // The actor swaps weights in as they arrive: a later request is served by a trained version.
    await waitFor(async () => {
      const probe = request('u-probe');
      await ctx.produceRecords(ctx.ns.topics.requests, codecs.request, [probe], (r) => r.userId);
      const answered = actionsOf(await ctx.consumeUntil(ctx.ns.topics.actions, (received) => actionsOf(received).some((a) => a.requestId === probe.requestId)));
      return answered.find((a) => a.requestId === probe.requestId)!.modelVersion > 0;
    }, { timeoutMs: 20_000, what: 'an action served by a trained model version' });
  });
});
