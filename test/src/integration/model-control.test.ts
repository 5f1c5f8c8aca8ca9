import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '@rec/cli';
import {
  ENCODER_VERSION,
  ITEM_DIM,
  RequestStateStore,
  STATE_DIM,
  WeightsHistory,
  bytesToFloats,
  codecs,
  encodeItem,
  floatsToBytes,
  readModelShapeConfig,
  type CatalogItem,
  type RecommendationAction,
  type ServiceRuntime,
  type Transition,
} from '@rec/shared';
import { itemRowsOf, loadLayersModel, tf } from '@rec/shared/model';
import { openTestContext, runRec, sampleRequest, temporaryDirectory, waitFor, type TestContext } from '../harness';
import { FAST_SERVICE_ENV, ServiceStack, metricValue } from '../harness/service-stack';

/**
 * The operator's model levers, through the rec CLI against in-process services on the real broker and
 * Redis: the weights history the parameter server keeps, pin/unpin (actors serve a chosen version),
 * rollback and import (the parameter server publishes chosen weights as a new version), export (a
 * TensorFlow.js LayersModel that ranks exactly as the actor did) and explain (contributions that add up
 * to the logged score).
 */

const ITEMS = 40;
const CATALOG: CatalogItem[] = Array.from({ length: ITEMS }, (_, index) => ({
  itemId: `item-${index}`,
  category: `cat-${index % 5}`,
  price: 3 + index,
  features: [Math.sin(index), Math.cos(index * 0.7), (index % 4) / 3],
  available: true,
  updatedAt: 1,
}));

/** Synthetic transitions straight onto the replay stream, so the learner trains and versions advance. */
function transitions(count: number): Transition[] {
  return Array.from({ length: count }, (_, index) => {
    const state = new Float32Array(STATE_DIM).map((_, k) => Math.sin(index * 0.3 + k));
    const item = encodeItem(CATALOG[index % ITEMS]);
    return {
      transitionId: `t-${index}`, userId: `u${index % 7}`, requestId: `r-${index}`, itemId: CATALOG[index % ITEMS].itemId, position: 0,
      encoderVersion: ENCODER_VERSION, state: Buffer.from(floatsToBytes(state)), itemFeatures: Buffer.from(floatsToBytes(Float32Array.from(item.subarray(0, ITEM_DIM)))),
      reward: index % 3 === 0 ? 1 : 0, nextState: Buffer.from(floatsToBytes(state.map((v) => v / 2))), done: index % 5 === 0, nextRequestId: null, slateReward: null,
      propensity: 0.5, modelVersion: 0, requestTimestamp: Date.now(), lastFeedbackTimestamp: Date.now(), emittedAt: Date.now(),
    };
  });
}

describe('rec: model control against live services', () => {
  let ctx: TestContext;
  let env: NodeJS.ProcessEnv;
  let actor: ServiceRuntime;
  let actorUrl: string;
  let history: WeightsHistory;
  let requests = 0;

  const rec = (...argv: string[]) => runRec(env, ...argv);

  /** Publishes greedy requests (one per user) and resolves with their actions, in request order. */
  const serve = async (count: number, overrides: { candidateItemIds?: string[] | null } = {}): Promise<RecommendationAction[]> => {
    const ids = Array.from({ length: count }, () => `req-${(requests += 1)}`);
    await ctx.produceRecords(
      ctx.ns.topics.requests,
      codecs.request,
      ids.map((requestId, index) => sampleRequest({ requestId, userId: `user-${requests}-${index}`, timestamp: Date.now(), surface: ['home', 'product', 'cart', 'search'][index % 4], contextItemId: null, candidateItemIds: overrides.candidateItemIds ?? null, slateSize: 10, attributes: { device: index % 2 === 0 ? 'ios' : 'web' } })),
      (request) => request.userId,
    );
    const wanted = new Set(ids);
    const received = await ctx.consumeUntil(ctx.ns.topics.actions, (all) => all.filter((message) => wanted.has(codecs.action.decode(message.value).requestId)).length >= count, { timeoutMs: 60_000 });
    const byId = new Map(received.map((message) => codecs.action.decode(message.value)).filter((action) => wanted.has(action.requestId)).map((action) => [action.requestId, action]));
    return ids.map((id) => byId.get(id)!);
  };

  before(async () => {
    ctx = await openTestContext('model-control');
    await ctx.createTopics(2);
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, CATALOG, (item) => item.itemId);
    const overrides = { ACTOR_EPSILON_START: '0', ACTOR_EPSILON_END: '0', ACTOR_PIN_POLL_MS: '100', PS_CONTROL_POLL_MS: '50', PS_WEIGHTS_HISTORY: '50', PS_PUBLISH_EVERY_UPDATES: '3' };
    const stack = new ServiceStack(ctx, overrides);
    env = stack.env();
    await stack.parameterServer();
    const learner = await stack.learner();
    actor = await stack.actor();
    actorUrl = `http://127.0.0.1:${actor.health.port}`;
    history = new WeightsHistory(ctx.redis, ctx.ns.keys, 'ddqn');
    await ctx.produceRecords(ctx.ns.topics.transitions, codecs.transition, transitions(400), (transition) => transition.userId);
    // A handful of versions, then the learner stops, so the version stands still for the tests below.
    await waitFor(async () => (await history.versions()).length >= 5, { what: 'five versions in the weights history', timeoutMs: 60_000, intervalMs: 100 });
    await learner.runtime.shutdown();
    let last = -1;
    await waitFor(
      async () => {
        const newest = (await history.versions()).at(-1) ?? -1;
        const settled = newest === last;
        last = newest;
        return settled;
      },
      { what: 'training to settle', timeoutMs: 60_000, intervalMs: 1_500 },
    );
  });

  after(() => ctx.cleanup());

  it('rec status shows the version, the history the parameter server keeps, and the groups', async () => {
    const { code, out } = await rec('status', '--json');
    assert.equal(code, 0);
    const status = JSON.parse(out) as { version: number; history: number[]; pinnedVersion: number | null; groups: Array<{ group: string; members: number }> };
    assert.ok(status.history.length >= 5);
    assert.equal(status.history.at(-1), status.version);
    assert.equal(status.pinnedVersion, null);
    assert.equal(status.groups.find((group) => group.group.endsWith('actor'))?.members, 1);
  });

  it('rec pin makes the actor serve that version, rec unpin the newest again', async (t) => {
    const kept = await history.versions();
    const pinned = kept[1];
    const newest = kept.at(-1)!;
    const pinnedAt = Date.now();
    assert.equal((await rec('pin', String(pinned))).code, 0);
    await waitFor(async () => (await metricValue(actor, 'rec_actor_pinned_version')) === pinned, { what: 'the actor to pin', timeoutMs: 10_000, intervalMs: 20 });
    t.diagnostic(`pin took effect after ${Date.now() - pinnedAt} ms (ACTOR_PIN_POLL_MS=100)`);
    for (const action of await serve(3)) assert.equal(action.modelVersion, pinned);

    assert.equal((await rec('pin', '999999')).code, 1, 'a version not in the history is refused');
    assert.equal((await rec('unpin')).code, 0);
    await waitFor(async () => (await metricValue(actor, 'rec_actor_pinned_version')) === -1, { what: 'the actor to unpin', timeoutMs: 10_000, intervalMs: 20 });
    for (const action of await serve(2)) assert.equal(action.modelVersion, newest);
  });

  it('rec export writes a LayersModel whose top 10 for 100 logged states is the actor\'s', async (t) => {
    const version = (await history.versions()).at(-1)!;
    const actions = await serve(100);
    for (const action of actions) assert.equal(action.modelVersion, version);
    const dir = temporaryDirectory(t.after.bind(t), 'rec-export-');
    const exported = await rec('export', '--out', dir, '--version', String(version));
    assert.equal(exported.code, 0, exported.err);

    const model = await loadLayersModel(dir);
    const states = await new RequestStateStore(ctx.redis, ctx.ns.keys, 60_000).getMany(actions.map((action) => action.requestId));
    const itemValues = Float32Array.from(CATALOG.flatMap((item) => Array.from(encodeItem(item))));
    const items = tf.tensor2d(itemValues, [ITEMS, ITEM_DIM]);
    const itemRows = tf.tensor2d(itemRowsOf(readModelShapeConfig({}), itemValues), [ITEMS, 1]);
    for (const [index, action] of actions.entries()) {
      const state = bytesToFloats(states[index]!.state);
      const scores = tf.tidy(() => (model.predict([tf.tile(tf.tensor2d(state, [1, STATE_DIM]), [ITEMS, 1]), items, itemRows]) as tf.Tensor).dataSync());
      const ranked = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]).slice(0, 10);
      assert.deepEqual(ranked.map((item) => CATALOG[item].itemId), action.items.map((item) => item.itemId), `request ${action.requestId}`);
      for (const [position, item] of action.items.entries()) assert.ok(Math.abs(scores[ranked[position]] - item.score) < 1e-4, `${item.itemId}: exported ${scores[ranked[position]]}, logged ${item.score}`);
    }
    items.dispose();
    itemRows.dispose();
  });

  it('rec explain splits every served score into contributions that add up to the logged score', async () => {
    const [action] = await serve(1);
    const { code, out, err } = await rec('explain', action.requestId, '--actor', actorUrl, '--json');
    assert.equal(code, 0, err);
    const explanation = JSON.parse(out) as {
      modelVersion: number;
      items: Array<{
        itemId: string; loggedScore: number; explored: boolean; propensity: number;
        parts: { interaction: number; itemBias: number };
        interactionByState: { topFeatures: Array<{ contribution: number }>; otherFeatures: number; towerBias: number };
        interactionByItem: { topFeatures: Array<{ contribution: number }>; otherFeatures: number; embeddingBias: number };
        itemBias: { topFeatures: Array<{ contribution: number }>; otherFeatures: number; constant: number };
      }>;
    };
    assert.equal(explanation.modelVersion, action.modelVersion);
    assert.deepEqual(explanation.items.map((item) => item.itemId), action.items.map((item) => item.itemId));
    const total = (entries: Array<{ contribution: number }>) => entries.reduce((sum, entry) => sum + entry.contribution, 0);
    for (const [index, item] of explanation.items.entries()) {
      const byState = total(item.interactionByState.topFeatures) + item.interactionByState.otherFeatures + item.interactionByState.towerBias;
      const byItem = total(item.interactionByItem.topFeatures) + item.interactionByItem.otherFeatures + item.interactionByItem.embeddingBias;
      const bias = total(item.itemBias.topFeatures) + item.itemBias.otherFeatures + item.itemBias.constant;
      const tolerance = 1e-4 * Math.max(1, Math.abs(item.loggedScore));
      assert.equal(item.loggedScore, action.items[index].score);
      assert.ok(Math.abs(byState + bias - item.loggedScore) < tolerance, `${item.itemId}: state side ${byState} + bias ${bias} vs logged ${item.loggedScore}`);
      assert.ok(Math.abs(byItem + bias - item.loggedScore) < tolerance, `${item.itemId}: item side ${byItem} + bias ${bias} vs logged ${item.loggedScore}`);
      assert.ok(item.interactionByState.topFeatures.length > 0);
      assert.equal(item.propensity, action.items[index].propensity);
    }
    const unknown = await rec('explain', 'no-such-request', '--actor', actorUrl);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /404/);
  });

  it('rec rollback publishes an old version\'s weights as the next version, and the actor serves it', async () => {
    const kept = await history.versions();
    const target = kept[0];
    const { code, out, err } = await rec('rollback', String(target));
    assert.equal(code, 0, err);
    const made = Number(/are now version (\d+)/.exec(out)?.[1]);
    assert.ok(made > kept.at(-1)!, `new version ${made} after ${kept.at(-1)}`);
    assert.deepEqual(Array.from((await history.load(made))!.values), Array.from((await history.load(target))!.values));
    // The broadcast reaches the actor within moments; serve until an action shows it (the version only grows).
    await waitFor(async () => (await serve(1))[0].modelVersion === made, { what: 'the actor to serve the rolled-back version', timeoutMs: 20_000, intervalMs: 50 });
    assert.equal((await rec('rollback', '999999')).code, 1, 'a version not in the history is refused');
  });

  it('rec import makes an exported model the next version', async (t) => {
    const kept = await history.versions();
    const source = kept[2];
    const dir = temporaryDirectory(t.after.bind(t), 'rec-import-');
    assert.equal((await rec('export', '--out', dir, '--version', String(source))).code, 0);
    const { code, out, err } = await rec('import', dir);
    assert.equal(code, 0, err);
    const made = Number(/is now version (\d+)/.exec(out)?.[1]);
    assert.ok(made > kept.at(-1)!);
    assert.deepEqual(Array.from((await history.load(made))!.values), Array.from((await history.load(source))!.values));
    // Another shape is refused before anything reaches the parameter server.
    const wrongShape = await runCli(['import', dir], { out: () => undefined, err: () => undefined, environment: { ...env, MODEL_HIDDEN_SIZES: '8,8,4' } }).catch((error: Error) => error);
    assert.ok(wrongShape instanceof Error && /another MODEL_HIDDEN_SIZES/.test(wrongShape.message));
    assert.deepEqual(readModelShapeConfig(env).hiddenSizes, FAST_SERVICE_ENV.MODEL_HIDDEN_SIZES.split(',').map(Number));
  });

  it('rec dlq inspects dead letters and redrives them once the cause is fixed', async () => {
    // A request for an item the catalog does not have yet: an empty slate and a dead letter.
    const [unservable] = await serve(1, { candidateItemIds: ['late-item'] });
    assert.equal(unservable.items.length, 0);
    await ctx.produceMessages(ctx.ns.topics.requests, [{ key: 'broken', value: Buffer.from('not avro') }]);
    await waitFor(async () => (await metricValue(actor, 'rec_dlq_messages_total')) >= 2, { what: 'two dead letters', timeoutMs: 30_000 });

    const inspected = await rec('dlq', 'inspect', 'rec.requests.v1', '--json');
    assert.equal(inspected.code, 0, inspected.err);
    const letters = JSON.parse(inspected.out) as { total: number; letters: Array<{ reason: string; decoded: { requestId: string } | null; source: { topic: string } }> };
    assert.deepEqual(letters.letters.map((letter) => letter.reason).sort(), ['decode', 'no-candidates']);
    assert.equal(letters.letters.find((letter) => letter.reason === 'no-candidates')?.decoded?.requestId, unservable.requestId);
    assert.ok(letters.letters.every((letter) => letter.source.topic === ctx.ns.topics.requests));

    // The item arrives; redriving the no-candidates letter gets the request answered with it.
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, [{ ...CATALOG[0], itemId: 'late-item' }], (item) => item.itemId);
    const dryRun = await rec('dlq', 'redrive', 'rec.requests.v1', '--reason', 'no-candidates', '--dry-run');
    assert.match(dryRun.out, /would send 1 of 2/);
    await waitFor(async () => (await metricValue(actor, 'rec_catalog_items', { available: 'true' })) === ITEMS + 1, { what: 'the actor to know the late item', timeoutMs: 30_000 });
    const redriven = await rec('dlq', 'redrive', 'rec.requests.v1', '--reason', 'no-candidates');
    assert.equal(redriven.code, 0, redriven.err);
    assert.match(redriven.out, /sent 1 dead letters/);
    const answered = await ctx.consumeUntil(ctx.ns.topics.actions, (all) => all.some((message) => { const action = codecs.action.decode(message.value); return action.requestId === unservable.requestId && action.items.length > 0; }), { timeoutMs: 30_000 });
    const action = answered.map((message) => codecs.action.decode(message.value)).find((candidate) => candidate.requestId === unservable.requestId && candidate.items.length > 0);
    assert.deepEqual(action?.items.map((item) => item.itemId), ['late-item']);
    // A second redrive has nothing new to send.
    assert.match((await rec('dlq', 'redrive', 'rec.requests.v1')).out, /sent 0 dead letters/);
  });
});
