import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigResourceTypes } from 'kafkajs';
import {
  MODEL_MESSAGE_MAX_BYTES,
  WeightsSubscriber,
  checksumOf,
  codecs,
  floatsToBytes,
  readCommonConfig,
  startServiceRuntime,
  weightsDeltaKey,
  type CatalogItem,
  type ModelUpdate,
  type ModelWeightsDelta,
  type ReceivedWeights,
  type ServiceRuntime,
} from '@rec/shared';
import { openTestContext, publishedWeights, sleep, waitFor, type TestContext } from '../harness';
import { ServiceStack, metricValue } from '../harness/service-stack';

/**
 * Weights published as full records every PS_WEIGHTS_FULL_EVERY publishes and deltas between, on the real
 * broker: a subscriber that starts after several deltas, reading the compacted topic, must hold exactly
 * the parameter server's weights; deltas it cannot apply are skipped or rejected, never adopted.
 */

const MODEL_ID = 'deltas';
const FULL_EVERY = 4;
const CATALOG: CatalogItem[] = Array.from({ length: 8 }, (_, index) => ({
  itemId: `item-${index}`, category: `cat-${index % 2}`, price: 5 + index, features: [index % 2, 1], available: true, updatedAt: 1,
}));

function bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

describe('weights deltas on the real broker', () => {
  let ctx: TestContext;
  let stack: ServiceStack;

  before(async () => {
    ctx = await openTestContext('wdelta');
    await ctx.createTopics(1);
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, CATALOG, (item) => item.itemId);
    stack = new ServiceStack(ctx);
  });

  after(() => ctx.cleanup());

  /** A dense gradient that moves every dense parameter and the per-item rows `rows` (of every table). */
  function gradient(layout: readonly { name: string; shape: number[] }[], rows: number[], step: number): Float32Array {
    const size = layout.reduce((sum, { shape }) => sum + shape.reduce((a, b) => a * b, 1), 0);
    const flat = new Float32Array(size);
    let offset = 0;
    for (const { name, shape } of layout) {
      const parameterSize = shape.reduce((a, b) => a * b, 1);
      if (name.startsWith('item/id/')) {
        for (const row of rows) for (let column = 0; column < shape[1]; column += 1) flat[offset + row * shape[1] + column] = Math.sin(step + row + column);
      } else {
        for (let index = 0; index < parameterSize; index += 1) flat[offset + index] = 0.01 * Math.cos(step * 7 + index);
      }
      offset += parameterSize;
    }
    return flat;
  }

  /**
   * Has the broker compact the weights topic now: segments of 100 ms, any dirt cleanable, and a record on a
   * key nobody reads to roll the active segment (the cleaner never touches it); waits until a read from the
   * beginning holds only the newest record of each of the model's ONLINE keys.
   */
  async function compactWeightsTopic(): Promise<void> {
    const topic = ctx.ns.topics.modelWeights;
    const admin = ctx.kafka.admin();
    await admin.connect();
    try {
      const configs = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0', 'max.message.bytes': String(MODEL_MESSAGE_MAX_BYTES), 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.001' };
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
    } finally {
      await admin.disconnect();
    }
    let marker = 0;
    await waitFor(async () => {
      marker += 1;
      await sleep(200);
      await ctx.produceMessages(topic, [{ key: 'segment-roll', value: Buffer.from(String(marker)) }]);
      const all = await ctx.consumeUntil(topic, (messages) => messages.some((message) => message.key === 'segment-roll' && message.value?.toString() === String(marker)));
      return publishedWeights(all, MODEL_ID, 'ONLINE').length === 2;
    }, { timeoutMs: 75_000, intervalMs: 1_000, what: 'the broker to compact the weights topic' });
  }

  /** A subscriber in a runtime of its own, as an actor or learner starting now would have. */
  async function freshSubscriber(layoutHash: string, layout: readonly { name: string; shape: number[] }[]) {
    const runtime: ServiceRuntime = await startServiceRuntime('weights-reader', readCommonConfig({ ...ctx.ns.env, MODEL_ID, METRICS_PORT: '0', MANAGE_TOPICS: 'off', LOG_LEVEL: 'warn' }), { handleSignals: false });
    ctx.onCleanup(() => runtime.shutdown());
    const received: ReceivedWeights[] = [];
    const subscriber = new WeightsSubscriber(runtime, { layoutHash, layout, roles: ['ONLINE'], onWeights: (weights) => received.push(weights) });
    runtime.onShutdown({ name: 'weights-subscriber', run: () => subscriber.stop() });
    await subscriber.start();
    await subscriber.caughtUp;
    return { runtime, subscriber, received };
  }

  it('a subscriber that starts after several deltas rebuilds exactly the newest weights from the newest full record and the newest delta', async () => {
    const { server, runtime } = await stack.parameterServer({ MODEL_ID, PS_WEIGHTS_FULL_EVERY: String(FULL_EVERY), PS_MAX_STALENESS: '1000000', PS_PUBLISH_EVERY_UPDATES: '1' });
    const { layout, layoutHash } = server.online;
    const start = server.lastPublishedVersion;
    // Six versions, each published on its own: full at the start, deltas, full (the 4th publish), deltas.
    for (let step = 1; step <= 6; step += 1) {
      const flat = gradient(layout, [step, step + 10, 100 + step], step);
      const bytes = Buffer.from(floatsToBytes(flat));
      const update: ModelUpdate = {
        updateId: randomUUID(), modelId: MODEL_ID, learnerId: 'test', baseVersion: server.currentVersion, layoutHash,
        gradients: bytes, checksum: checksumOf(bytes), batchSize: 1, tdLoss: 0, meanQ: 0, newestSampleTimestamp: null, timestamp: Date.now(), gradientEncoding: 'DENSE', sequence: -1,
      };
      await ctx.produceRecords(ctx.ns.topics.modelUpdates, codecs.modelUpdate, [update], () => MODEL_ID);
      await waitFor(() => server.lastPublishedVersion >= start + step, { timeoutMs: 30_000, what: `version ${start + step} to be published` });
    }
    const newest = server.lastPublishedVersion;
    const expected = server.online.getWeights();

    const records = publishedWeights(await ctx.consumeUntil(ctx.ns.topics.modelWeights, (all) => publishedWeights(all, MODEL_ID, 'ONLINE').some((weights) => weights.version === newest)), MODEL_ID, 'ONLINE');
    assert.deepEqual(records.map((weights) => weights.kind), ['full', 'delta', 'delta', 'delta', 'full', 'delta', 'delta']);
    const deltas = records.filter((weights): weights is ModelWeightsDelta & { kind: 'delta' } => weights.kind === 'delta');
    assert.deepEqual(deltas.map((delta) => delta.baseVersion), [start, start, start, start + 4, start + 4], 'cumulative: each delta names the newest full record');
    const fullBytes = records[0].values.length;
    for (const delta of deltas) assert.ok(delta.values.length < fullBytes, `a delta (${delta.values.length} bytes) is smaller than the full payload (${fullBytes})`);

    // What compaction leaves: the newest full record and, after it, the newest delta (which names it).
    await compactWeightsTopic();
    const compacted = publishedWeights(await ctx.consumeUntil(ctx.ns.topics.modelWeights, (all) => publishedWeights(all, MODEL_ID, 'ONLINE').length === 2), MODEL_ID, 'ONLINE');
    assert.deepEqual(compacted.map((weights) => [weights.kind, weights.version]), [['full', start + 4], ['delta', newest]]);

    const { runtime: reader, subscriber, received } = await freshSubscriber(layoutHash, layout);
    assert.deepEqual(received.map((weights) => weights.version), [start + 4, newest], 'the full record, then the delta on it');
    assert.equal(subscriber.versionOf('ONLINE'), newest);
    const latest = received.at(-1)!;
    assert.equal(latest.version, newest);
    assert.deepEqual(bits(latest.values), bits(expected), 'bit for bit the weights the parameter server holds');
    assert.ok((await metricValue(reader, 'rec_weights_adopted_total', { kind: 'delta' })) >= 1, 'the newest version came from a delta');
    assert.deepEqual(received.map((weights) => weights.version), [...received.map((weights) => weights.version)].sort((a, b) => a - b), 'versions only go up');

    // A delta naming a full record this reader never held is skipped and counted; one that does not rebuild
    // its checksum is rejected; neither moves the version.
    const forged = (fields: Partial<ModelWeightsDelta>): ModelWeightsDelta => ({ ...deltas.at(-1)!, ...fields, publishedAt: Date.now() });
    await ctx.produceMessages(ctx.ns.topics.modelWeights, [
      { key: weightsDeltaKey(MODEL_ID, 'ONLINE'), value: codecs.modelWeightsDelta.encode(forged({ version: newest + 1, baseVersion: newest - 1 })) },
      { key: weightsDeltaKey(MODEL_ID, 'ONLINE'), value: codecs.modelWeightsDelta.encode(forged({ version: newest + 2, weightsChecksum: deltas.at(-1)!.weightsChecksum ^ 1 })) },
    ]);
    await waitFor(async () => (await metricValue(reader, 'rec_weights_deltas_skipped_total')) === 1 && (await metricValue(reader, 'rec_weights_rejected_total', { reason: 'bad-reconstruction' })) === 1, {
      timeoutMs: 30_000,
      what: 'the forged deltas to be skipped and rejected',
    });
    assert.equal(subscriber.versionOf('ONLINE'), newest);
    assert.equal(received.at(-1)!.version, newest);
    await runtime.shutdown();
  });
});
