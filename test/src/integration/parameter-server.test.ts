import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DLQ_HEADERS,
  ENCODER_VERSION,
  ITEM_DIM,
  STATE_DIM,
  checksumOf,
  codecs,
  dlqTopic,
  floatsToBytes,
  itemIdHash,
  weightsKey,
  type CatalogItem,
  type ModelUpdate,
  type Transition,
} from '@rec/shared';
import { openTestContext, publishedWeights, waitFor, type PublishedWeights, type ReceivedMessage, type TestContext } from '../harness';
import { ServiceStack, metricValue } from '../harness/service-stack';

/** The parameter server on the real broker and Redis: many learners, restarts, and bad updates. */

const CATALOG: CatalogItem[] = Array.from({ length: 8 }, (_, index) => ({
  itemId: `item-${index}`, category: `cat-${index % 2}`, price: 5 + index, features: [index % 2, 1], available: true, updatedAt: 1,
}));

/** Synthetic transitions, straight onto the replay stream (no actor or joiner needed). */
function transitions(count: number, seed: string): Transition[] {
  return Array.from({ length: count }, (_, index) => {
    const state = new Float32Array(STATE_DIM).map((_, k) => Math.sin(index + k));
    const item = new Float32Array(ITEM_DIM).map((_, k) => Math.cos(index * k));
    return {
      transitionId: `${seed}-${index}`, userId: `u${index % 7}`, requestId: `${seed}-r${index}`, itemId: `item-${index % 8}`, position: 0,
      encoderVersion: ENCODER_VERSION, state: Buffer.from(floatsToBytes(state)), itemFeatures: Buffer.from(floatsToBytes(item)),
      reward: index % 3 === 0 ? 1 : 0, nextState: Buffer.from(floatsToBytes(state.map((v) => v / 2))), done: false, nextRequestId: null, slateReward: null,
      propensity: 0.5, modelVersion: 0, requestTimestamp: Date.now(), lastFeedbackTimestamp: Date.now(), emittedAt: Date.now(),
    };
  });
}

/** The online weights records (full and delta) on the topic, in offset order, once one of at least `minVersion` is there. */
async function onlineWeights(ctx: TestContext, minVersion: number): Promise<PublishedWeights[]> {
  const decode = (all: ReceivedMessage[]) => publishedWeights(all, 'ddqn', 'ONLINE');
  return decode(await ctx.consumeUntil(ctx.ns.topics.modelWeights, (all) => decode(all).some((weights) => weights.version >= minVersion)));
}

describe('parameter server on the real broker', () => {
  let ctx: TestContext;
  let stack: ServiceStack;

  before(async () => {
    ctx = await openTestContext('ps');
    await ctx.createTopics(2);
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, CATALOG, (item) => item.itemId);
    stack = new ServiceStack(ctx, { LEARNER_MAX_SAMPLES_PER_INSERT: '0' });
  });

  after(() => ctx.cleanup());

  it('takes updates from two learners at once, and each one contributes', async () => {
    const { server, runtime } = await stack.parameterServer();
    const first = await stack.learner();
    const second = await stack.learner();
    await ctx.produceRecords(ctx.ns.topics.transitions, codecs.transition, transitions(400, 'a'), (t) => t.userId);
    await waitFor(async () => (await metricValue(first.runtime, 'rec_learner_updates_sent_total')) >= 3 && (await metricValue(second.runtime, 'rec_learner_updates_sent_total')) >= 3, {
      timeoutMs: 30_000,
      what: 'both learners to send updates',
    });
    const updates = (await ctx.consumeUntil(ctx.ns.topics.modelUpdates, (all) => all.length >= 6)).map((message) => codecs.modelUpdate.decode(message.value));
    assert.equal(new Set(updates.map((update) => update.learnerId)).size, 2, 'updates from two distinct learners');
    await waitFor(() => server.currentVersion >= 6, { timeoutMs: 20_000, what: 'the version to advance' });
    // Versions on the weights topic only ever go up.
    const versions = (await onlineWeights(ctx, 6)).map((weights) => weights.version);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    await first.runtime.shutdown();
    await second.runtime.shutdown();
    await runtime.shutdown();
  });

  it('counts the available items that share a per-item row, in a table too small for the catalog', async () => {
    // Eight items in four rows: every row that holds two or more items counts all of them. A namespace of
    // its own: weights and snapshots of another layout must not reach the other cases' services.
    // The stack registers each service's shutdown with this context, so cleanup stops them first, pass or fail.
    const own = await openTestContext('ps-rows');
    try {
      await own.createTopics(2);
      await own.produceRecords(own.ns.topics.catalog, codecs.catalogItem, CATALOG, (item) => item.itemId);
      const small = new ServiceStack(own, { LEARNER_MAX_SAMPLES_PER_INSERT: '0', MODEL_ITEM_ID_BUCKETS: '4' });
      const perRow = new Map<number, number>();
      for (const item of CATALOG) {
        const row = itemIdHash(item.itemId) & 3;
        perRow.set(row, (perRow.get(row) ?? 0) + 1);
      }
      const expected = [...perRow.values()].filter((items) => items > 1).reduce((sum, items) => sum + items, 0);
      assert.ok(expected >= 5, 'eight items in four rows: at least five share one');
      const { server, runtime } = await small.parameterServer();
      await small.learner();
      const before = server.currentVersion;
      await own.produceRecords(own.ns.topics.transitions, codecs.transition, transitions(300, 'rows'), (t) => t.userId);
      await waitFor(() => server.currentVersion > before, { timeoutMs: 30_000, what: 'an update to be applied' });
      assert.equal(await metricValue(runtime, 'rec_parameter_server_items_sharing_id_rows'), expected);
    } finally {
      await own.cleanup();
    }
  });

  it('resumes from its Redis snapshot after a restart, with no version regression', async () => {
    const running = await stack.parameterServer();
    await waitFor(() => running.server.currentVersion > 0, { what: 'a resumed version' });
    const before = running.server.currentVersion;
    const weightsBefore = running.server.online.getWeights();
    await running.runtime.shutdown();

    const restartedAt = Date.now();
    const restarted = await stack.parameterServer();
    assert.ok(restarted.server.currentVersion >= before, `restarted at ${restarted.server.currentVersion}, was ${before}`);
    assert.deepEqual(restarted.server.online.getWeights(), weightsBefore, 'the same weights, from the snapshot');
    const decode = (all: ReceivedMessage[]) => publishedWeights(all, 'ddqn', 'ONLINE').filter((weights) => weights.publishedAt >= restartedAt);
    const afterRestart = decode(await ctx.consumeUntil(ctx.ns.topics.modelWeights, (all) => decode(all).length > 0));
    assert.equal(afterRestart[0].kind, 'full', 'a restarted server holds no base: its first publish is whole');
    assert.ok(afterRestart[0].version >= before, `the first publish after the restart (${afterRestart[0].version}) is not older than ${before}`);
    await restarted.runtime.shutdown();
  });

  it('rejects an update holding NaN or a bad checksum, keeps the last good version, and counts it', async () => {
    const { server, runtime } = await stack.parameterServer({ PS_MAX_STALENESS: '1000000' });
    const version = server.currentVersion;
    const size = server.online.size;
    const poisoned = new Float32Array(size);
    poisoned[3] = Number.NaN;
    const bytes = Buffer.from(floatsToBytes(poisoned));
    const update = (gradients: Buffer, checksum: number): ModelUpdate => ({
      updateId: randomUUID(), modelId: 'ddqn', learnerId: 'test', baseVersion: version, layoutHash: server.online.layoutHash,
      gradients, checksum, batchSize: 1, tdLoss: 0, meanQ: 0, newestSampleTimestamp: null, timestamp: Date.now(), gradientEncoding: 'DENSE', sequence: -1,
    });
    const fine = Buffer.from(floatsToBytes(new Float32Array(size)));
    await ctx.produceRecords(ctx.ns.topics.modelUpdates, codecs.modelUpdate, [update(bytes, checksumOf(bytes)), update(fine, checksumOf(fine) ^ 1)], () => 'ddqn');
    const dead = await ctx.consumeUntil(dlqTopic(ctx.ns.topics.modelUpdates), (all) => all.length >= 2);
    assert.deepEqual(dead.map((message) => message.headers[DLQ_HEADERS.reason]).sort(), ['bad-checksum', 'not-finite']);
    assert.equal(await metricValue(runtime, 'rec_parameter_server_updates_rejected_total', { reason: 'not-finite' }), 1);
    assert.equal(server.currentVersion, version, 'the version did not move');
    assert.ok(server.online.getWeights().every(Number.isFinite));
    await runtime.shutdown();
  });

  it('drops an update computed on weights older than the staleness bound', async () => {
    const { server, runtime } = await stack.parameterServer({ PS_MAX_STALENESS: '2' });
    const version = server.currentVersion;
    assert.ok(version >= 3, `needs a few versions of history, at ${version}`);
    const zeros = Buffer.from(floatsToBytes(new Float32Array(server.online.size)));
    const update: ModelUpdate = {
      updateId: randomUUID(), modelId: 'ddqn', learnerId: 'test', baseVersion: version - 3, layoutHash: server.online.layoutHash,
      gradients: zeros, checksum: checksumOf(zeros), batchSize: 1, tdLoss: 0, meanQ: 0, newestSampleTimestamp: null, timestamp: Date.now(), gradientEncoding: 'DENSE', sequence: -1,
    };
    await ctx.produceRecords(ctx.ns.topics.modelUpdates, codecs.modelUpdate, [update], () => 'ddqn');
    await waitFor(async () => (await metricValue(runtime, 'rec_parameter_server_updates_dropped_total', { reason: 'stale' })) === 1, { what: 'the stale update to be dropped' });
    assert.equal(server.currentVersion, version);
    await runtime.shutdown();
  });

  it("counts only other learners' versions as staleness for a learner that looks ahead, and publishes each learner's progress", async () => {
    const { server, runtime } = await stack.parameterServer({ MODEL_ID: 'lookahead', PS_MAX_STALENESS: '1', PS_PUBLISH_EVERY_UPDATES: '1' });
    const base = server.currentVersion;
    const zeros = Buffer.from(floatsToBytes(new Float32Array(server.online.size)));
    const update = (learnerId: string, baseVersion: number, sequence: number): ModelUpdate => ({
      updateId: randomUUID(), modelId: 'lookahead', learnerId, baseVersion, layoutHash: server.online.layoutHash,
      gradients: zeros, checksum: checksumOf(zeros), batchSize: 1, tdLoss: 0, meanQ: 0, newestSampleTimestamp: null, timestamp: Date.now(), gradientEncoding: 'DENSE', sequence,
    });
    // Learner A sends four updates computed on the same broadcast (its own later ones looked ahead): 3 versions
    // behind by the count, 0 by the others' count, so all four apply under a bound of 1. Learner B's update on
    // that broadcast is 4 of A's versions behind: dropped, and still recorded as processed. A non-lookahead
    // update (sequence -1) on it is measured the old way: dropped too.
    const updates = [0, 1, 2, 3].map((sequence) => update('learner-a', base, sequence));
    await ctx.produceRecords(ctx.ns.topics.modelUpdates, codecs.modelUpdate, [...updates, update('learner-b', base, 0), update('learner-c', base, -1)], () => 'lookahead');
    await waitFor(async () => (await metricValue(runtime, 'rec_parameter_server_updates_dropped_total', { reason: 'stale' })) === 2, { what: "B's and C's updates to be dropped" });
    assert.equal(server.currentVersion, base + 4, "all of A's updates applied");
    const decode = (all: ReceivedMessage[]) => publishedWeights(all, 'lookahead', 'ONLINE');
    const published = decode(await ctx.consumeUntil(ctx.ns.topics.modelWeights, (all) => decode(all).some((weights) => weights.version === base + 4)))
      .find((weights) => weights.version === base + 4)!;
    assert.deepEqual({ ...published.learnerProgress }, { 'learner-a': 3, 'learner-b': 0 }, 'per learner, the newest sequence processed; none for a learner that does not look ahead');
    await runtime.shutdown();
    // The progress survives a restart (it is in the snapshot): the first publish after it carries it.
    const restartedAt = Date.now();
    const restarted = await stack.parameterServer({ MODEL_ID: 'lookahead' });
    const republished = decode(await ctx.consumeUntil(ctx.ns.topics.modelWeights, (all) => decode(all).some((weights) => weights.publishedAt >= restartedAt)))
      .find((weights) => weights.publishedAt >= restartedAt)!;
    assert.equal(republished.learnerProgress['learner-a'], 3);
    await restarted.runtime.shutdown();
  });

  it('loses no update and applies none twice when it is killed between snapshots', async () => {
    // A model of its own (so versions start at 0), publishing, and so snapshotting, off after the start.
    // A 6 s group session: the successor gets the partition soon after the kill.
    const env = stack.env({ MODEL_ID: 'crash', PS_PUBLISH_EVERY_UPDATES: '1000000', PS_PUBLISH_INTERVAL_MS: '3600000', METRICS_PORT: '0', KAFKA_SESSION_TIMEOUT_MS: '6000' });
    const child = spawn(process.execPath, [require.resolve('@rec/parameter-server')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const admin = ctx.kafka.admin();
    await admin.connect();
    try {
      // The child publishes version 0 once it runs; its layout is the one to send gradients for.
      const key = weightsKey('crash', 'ONLINE');
      const started = (await ctx.consumeUntil(ctx.ns.topics.modelWeights, (all) => all.some((message) => message.key === key), { timeoutMs: 60_000 }))
        .filter((message) => message.key === key)
        .map((message) => codecs.modelWeights.decode(message.value))[0];
      const zeros = Buffer.from(floatsToBytes(new Float32Array(started.values.length / 4)));
      const updates = Array.from({ length: 5 }, (_, index): ModelUpdate => ({
        updateId: randomUUID(), modelId: 'crash', learnerId: 'test', baseVersion: index, layoutHash: started.layoutHash,
        gradients: zeros, checksum: checksumOf(zeros), batchSize: 1, tdLoss: 0, meanQ: 0, newestSampleTimestamp: null, timestamp: Date.now(), gradientEncoding: 'DENSE', sequence: -1,
      }));
      const groupId = `${ctx.ns.topicPrefix}parameter-server`;
      const committed = async () => (await admin.fetchOffsets({ groupId, topics: [ctx.ns.topics.modelUpdates] }))[0].partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
      const end = async () => (await admin.fetchTopicOffsets(ctx.ns.topics.modelUpdates)).reduce((sum, { high }) => sum + Number(high), 0);
      await ctx.produceRecords(ctx.ns.topics.modelUpdates, codecs.modelUpdate, updates, () => 'crash');
      const produced = await end();
      // Applied and committed by the group, while the snapshot still holds version 0: then kill -9.
      await waitFor(async () => (await committed()) >= produced, { timeoutMs: 30_000, what: 'the child to apply and commit the updates' });
      assert.equal(await ctx.redis.hget(ctx.ns.keys.modelSnapshot('crash'), 'version'), '0', 'the snapshot is behind the applied updates');
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL', output);

      // The successor resumes from the snapshot's offsets: all five updates again, each once.
      const { server, runtime } = await stack.parameterServer({ MODEL_ID: 'crash' });
      await waitFor(() => server.currentVersion >= 5, { timeoutMs: 30_000, what: 'the five updates to be applied again' });
      await runtime.shutdown();
      assert.equal(server.currentVersion, 5);
      // A clean restart holds them in its snapshot and its offsets: nothing more is applied.
      const again = await stack.parameterServer({ MODEL_ID: 'crash' });
      assert.equal(again.server.currentVersion, 5);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(again.server.currentVersion, 5, 'no update applied twice');
      assert.equal(await metricValue(again.runtime, 'rec_parameter_server_updates_applied_total'), 0);
      await again.runtime.shutdown();
    } finally {
      child.kill('SIGKILL');
      await admin.disconnect();
    }
  });
});
